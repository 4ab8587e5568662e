import { randomUUID } from 'node:crypto';
import { ControlError } from './errors';

/** A fault injected with `POST /_sandbox/faults`. */
export interface FaultSpec {
  service: string;
  /** Operation name, or `*` for every operation of the service. */
  operation: string;
  /** Error code returned, in the service's wire format (e.g. `ThrottlingException`, `InternalServerException`). */
  error: string;
  /** `Reason` member for services whose exceptions carry one (sms-voice). */
  reason?: string;
  message?: string;
  /** How many matching calls fail; unlimited when absent. */
  count?: number;
  /** Chance in [0,1] that a matching call fails; 1 when absent. */
  probability?: number;
  /** Let this many matching calls through before failing. */
  afterCalls?: number;
}

interface ActiveFault extends FaultSpec {
  id: string;
  seen: number;
  fired: number;
}

export class FaultInjector {
  private faults: ActiveFault[] = [];

  constructor(private readonly random: () => number = Math.random) {}

  add(input: unknown): string {
    const spec = parseFault(input);
    const id = randomUUID();
    this.faults.push({ ...spec, id, seen: 0, fired: 0 });
    return id;
  }

  clear(): void {
    this.faults = [];
  }

  list(): ActiveFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  /** The fault that fires for this call, if any (counts the call against every matching fault). */
  match(service: string, operation: string): FaultSpec | undefined {
    let fired: ActiveFault | undefined;
    for (const f of this.faults) {
      if (f.service !== service || (f.operation !== '*' && f.operation !== operation)) continue;
      f.seen += 1;
      if (fired) continue;
      if (f.afterCalls !== undefined && f.seen <= f.afterCalls) continue;
      if (f.count !== undefined && f.fired >= f.count) continue;
      if (f.probability !== undefined && this.random() >= f.probability) continue;
      f.fired += 1;
      fired = f;
    }
    return fired;
  }
}

function parseFault(input: unknown): FaultSpec {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ControlError(400, 'body must be a JSON object');
  const o = input as Record<string, unknown>;
  const known = new Set(['service', 'operation', 'error', 'reason', 'message', 'count', 'probability', 'afterCalls']);
  for (const k of Object.keys(o)) if (!known.has(k)) throw new ControlError(400, `unknown field '${k}'`, k);
  const str = (k: string, required: boolean): string | undefined => {
    const v = o[k];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || v.length === 0 || v.length > 256) throw new ControlError(400, `'${k}' must be a non-empty string of at most 256 characters`, k);
    return v;
  };
  const num = (k: string, min: number, max: number, integer: boolean): number | undefined => {
    const v = o[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v)))
      throw new ControlError(400, `'${k}' must be ${integer ? 'an integer' : 'a number'} between ${min} and ${max}`, k);
    return v;
  };
  const spec: FaultSpec = { service: str('service', true)!, operation: str('operation', true)!, error: str('error', true)! };
  const reason = str('reason', false);
  const message = str('message', false);
  const count = num('count', 1, 1_000_000, true);
  const probability = num('probability', 0, 1, false);
  const afterCalls = num('afterCalls', 0, 1_000_000, true);
  if (reason !== undefined) spec.reason = reason;
  if (message !== undefined) spec.message = message;
  if (count !== undefined) spec.count = count;
  if (probability !== undefined) spec.probability = probability;
  if (afterCalls !== undefined) spec.afterCalls = afterCalls;
  return spec;
}
