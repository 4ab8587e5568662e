import { ControlError } from './core/errors';
import type { Sandbox } from './sandbox';

export interface InboundResult {
  delivered: boolean;
  channel: 'sns' | 'connect' | null;
  destination: string | null;
  payload?: Record<string, string>;
  reason?: string;
}

/** Simulates an inbound SMS to one of the sandbox's numbers (implemented with the policy evaluator). */
export async function simulateInbound(_sb: Sandbox, _input: unknown): Promise<InboundResult> {
  throw new ControlError(501, 'inbound simulation is not built yet');
}
