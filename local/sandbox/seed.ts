import type { CallContext } from './core/types';
import type { SandboxState } from './state';

/** Creates the documented demo resources on first start (see local/README.md). */
export function seedDemoResources(_state: SandboxState, _ctx: CallContext): void {
  // Filled in once every service can create its records.
}
