import type { Node } from 'constructs';
import { MAX_BODY_BYTES } from '../api/http';

/**
 * The stack's settings, read from CDK context (`cdk.json`, or `-c key=value` on the command line) with
 * documented defaults. infra/README.md lists them; a test checks the defaults are the safe ones.
 */
export interface StackConfig {
  /** Prefix of every function, state machine and alarm name; the local runtime assumes `two-way-sms`. */
  prefix: string;
  /**
   * DynamoDB deletion protection, and RETAIN on the table and log groups. On by default; turn it off only
   * for throw-away test stacks (`-c deletionProtection=false`) so that `cdk destroy` removes everything.
   */
  deletionProtection: boolean;
  /** A WAF web ACL on the API stage (request body size limit + per-IP rate limit). ~US$7/month when on. */
  waf: boolean;
  /** Largest request body the WAF lets through, in bytes (at most 64 KiB, WAF's largest inspection window). */
  maxBodyBytes: number;
  /** Retention of every log group (Lambda, state machines, API access logs), in days. */
  logRetentionDays: number;
  /** API stage throttling: steady requests per second and burst. */
  apiRateLimit: number;
  apiBurstLimit: number;
  /**
   * KMS keys (ARNs) whose policy the tasks may rewrite although they do not carry the opt-in tag
   * `two-way-sms:allow` = `true`; empty by default (tag the key instead). `-c allowedKeyArns=arn1,arn2` or a JSON list.
   */
  allowedKeyArns: string[];
}

export const DEFAULTS: StackConfig = {
  prefix: 'two-way-sms',
  deletionProtection: true,
  waf: true,
  // The API Lambda's own limit (api/http.ts): the WAF refuses the same bodies before they cost an invocation.
  maxBodyBytes: MAX_BODY_BYTES,
  logRetentionDays: 90,
  apiRateLimit: 10,
  apiBurstLimit: 20,
  allowedKeyArns: [],
};

/** Context values arrive as strings from `-c key=value` and as JSON values from cdk.json: accept both. */
export function readStackConfig(node: Node): StackConfig {
  const bool = (key: keyof StackConfig): boolean => {
    const v: unknown = node.tryGetContext(key);
    if (v === undefined) return DEFAULTS[key] as boolean;
    if (v === true || v === 'true') return true;
    if (v === false || v === 'false') return false;
    throw new Error(`context ${key} must be true or false, not ${JSON.stringify(v)}`);
  };
  const int = (key: keyof StackConfig, min: number): number => {
    const v: unknown = node.tryGetContext(key);
    if (v === undefined) return DEFAULTS[key] as number;
    const n = typeof v === 'number' ? v : Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`context ${key} must be an integer >= ${min}, not ${JSON.stringify(v)}`);
    return n;
  };
  const prefix: unknown = node.tryGetContext('prefix') ?? DEFAULTS.prefix;
  if (typeof prefix !== 'string' || !/^[a-z][a-z0-9-]{0,30}$/.test(prefix)) throw new Error(`context prefix must match [a-z][a-z0-9-]{0,30}, not ${JSON.stringify(prefix)}`);
  return {
    prefix,
    deletionProtection: bool('deletionProtection'),
    waf: bool('waf'),
    maxBodyBytes: int('maxBodyBytes', 1),
    logRetentionDays: int('logRetentionDays', 1),
    apiRateLimit: int('apiRateLimit', 1),
    apiBurstLimit: int('apiBurstLimit', 1),
    allowedKeyArns: keyArns(node.tryGetContext('allowedKeyArns')),
  };
}

const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

function keyArns(v: unknown): string[] {
  if (v === undefined || v === '') return DEFAULTS.allowedKeyArns;
  const list = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',').map((s) => s.trim()) : [v];
  for (const k of list) if (typeof k !== 'string' || !KEY_ARN.test(k)) throw new Error(`context allowedKeyArns must list KMS key ARNs (arn:aws:kms:<region>:<account>:key/<id>), not ${JSON.stringify(k)}`);
  return list as string[];
}
