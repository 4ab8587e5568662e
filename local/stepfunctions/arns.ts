import { AwsError } from '../sandbox/core/errors';

/**
 * Step Functions ARNs and names, checked the way the service does: a string that is not an ARN of the expected
 * resource type is `InvalidArn`; a name with a forbidden character is `InvalidName`.
 */
const ARN = /^arn:(aws|aws-cn|aws-us-gov):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|):(.+)$/;

export function stateMachineArn(region: string, accountId: string, name: string): string {
  return `arn:${partitionOf(region)}:states:${region}:${accountId}:stateMachine:${name}`;
}

export function executionArn(machineArn: string, name: string): string {
  const m = parseStateMachineArn(machineArn);
  return `arn:${m.partition}:states:${m.region}:${m.accountId}:execution:${m.name}:${name}`;
}

export function partitionOf(region: string): string {
  return region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
}

interface ParsedArn {
  partition: string;
  region: string;
  accountId: string;
  resourceType: string;
  parts: string[];
}

function parse(arn: string, service: string, resourceTypes: readonly string[]): ParsedArn {
  const m = arn.match(ARN);
  if (!m) throw new AwsError('InvalidArn', `Invalid Arn: 'Invalid ARN prefix: ${arn}'`);
  const [, partition, svc, region, accountId, resource] = m as unknown as [string, string, string, string, string, string];
  if (svc !== service) throw new AwsError('InvalidArn', `Invalid Arn: 'Invalid ARN service: ${svc}'`);
  const parts = service === 'iam' ? resource.split('/') : resource.split(':');
  const resourceType = parts.shift() ?? '';
  if (!resourceTypes.includes(resourceType)) throw new AwsError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: ${resourceType}'`);
  if (service !== 'iam' && (!region || !accountId)) throw new AwsError('InvalidArn', `Invalid Arn: '${arn}'`);
  if (parts.length === 0 || parts.some((p) => p === '')) throw new AwsError('InvalidArn', `Invalid Arn: '${arn}'`);
  return { partition, region, accountId, resourceType, parts };
}

/** `arn:aws:states:us-east-1:123456789012:stateMachine:name` (a version or alias qualifier is not served here). */
export function parseStateMachineArn(arn: string): { partition: string; region: string; accountId: string; name: string; qualifier?: string } {
  const p = parse(arn, 'states', ['stateMachine']);
  if (p.parts.length > 2) throw new AwsError('InvalidArn', `Invalid Arn: '${arn}'`);
  return { partition: p.partition, region: p.region, accountId: p.accountId, name: p.parts[0]!, ...(p.parts[1] ? { qualifier: p.parts[1] } : {}) };
}

/** `arn:aws:states:us-east-1:123456789012:execution:machine:name`. */
export function parseExecutionArn(arn: string): { machineName: string; name: string } {
  const p = parse(arn, 'states', ['execution', 'express']);
  if (p.parts.length !== 2) throw new AwsError('InvalidArn', `Invalid Arn: '${arn}'`);
  return { machineName: p.parts[0]!, name: p.parts[1]! };
}

/** The state machine role: an IAM role ARN. */
export function checkRoleArn(arn: string): void {
  parse(arn, 'iam', ['role']);
}

/**
 * Names of state machines and executions must not contain whitespace, brackets `< > { } [ ]`, wildcards `? *`,
 * the characters `" # % \ ^ | ~ ` $ & , ; : /`, or control characters (U+0000–001F, U+007F–009F).
 */
// eslint-disable-next-line no-control-regex
const FORBIDDEN_IN_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u;

export function checkName(name: string): void {
  if (FORBIDDEN_IN_NAME.test(name)) throw new AwsError('InvalidName', `Invalid Name: '${name}'`);
}
