import { ControlError } from './errors';

interface Bucket {
  ratePerSecond: number;
  burst: number;
  tokens: number;
  updatedAt: number;
}

/**
 * Per-operation token buckets (`PUT /_sandbox/quotas`), keyed `service:Operation` as AWS quotas are
 * (`sms-voice:UpdatePhoneNumber` defaults to about 1 request per second on AWS). Over quota, the call gets the
 * service's own throttling error.
 */
export class QuotaBuckets {
  private buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  set(input: unknown): void {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ControlError(400, 'body must be a JSON object');
    const next = new Map<string, Bucket>();
    for (const [key, value] of Object.entries(input)) {
      if (!/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(key)) throw new ControlError(400, `quota key '${key}' must look like 'service:Operation'`, key);
      const v = value as Record<string, unknown> | null;
      const rate = v?.ratePerSecond;
      const burst = v?.burst ?? rate;
      if (typeof rate !== 'number' || !(rate > 0) || rate > 1e6) throw new ControlError(400, `'${key}.ratePerSecond' must be a positive number`, `${key}.ratePerSecond`);
      if (typeof burst !== 'number' || !(burst >= 1) || burst > 1e6) throw new ControlError(400, `'${key}.burst' must be a number of at least 1`, `${key}.burst`);
      next.set(key, { ratePerSecond: rate, burst, tokens: burst, updatedAt: this.now() });
    }
    this.buckets = next;
  }

  clear(): void {
    this.buckets.clear();
  }

  /** Takes one token; false when the call is over quota. */
  take(service: string, operation: string): boolean {
    const b = this.buckets.get(`${service}:${operation}`);
    if (!b) return true;
    const now = this.now();
    b.tokens = Math.min(b.burst, b.tokens + ((now - b.updatedAt) / 1000) * b.ratePerSecond);
    b.updatedAt = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}
