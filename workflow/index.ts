import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The state machines, as the ASL files in this folder define them. The CDK stack passes the same files
 * to `DefinitionBody` with `definitionSubstitutions`; the local runtime substitutes here. Lambda ARNs are
 * the only substitutions: `${<TaskName>FunctionArn}`.
 */
export const STATE_MACHINES = {
  provision: 'provision-two-way',
  deprovision: 'deprovision-two-way',
} as const;

export type StateMachineKey = keyof typeof STATE_MACHINES;

export interface AslState {
  Type: string;
  Resource?: string;
  Next?: string;
  End?: boolean;
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Choices?: { Next: string }[];
  Default?: string;
  [key: string]: unknown;
}

export interface AslDefinition {
  Comment?: string;
  StartAt: string;
  States: Record<string, AslState>;
}

export function definitionPath(name: string): string {
  return join(__dirname, `${name}.asl.json`);
}

/** The ASL text of a state machine, with its `${...}` placeholders. */
export function loadDefinitionText(name: string): string {
  return readFileSync(definitionPath(name), 'utf8');
}

export function loadDefinition(name: string): AslDefinition {
  return JSON.parse(loadDefinitionText(name)) as AslDefinition;
}

const PLACEHOLDER = /\$\{([A-Za-z0-9]+)\}/g;

/** The task names whose Lambda ARNs a definition needs (`${AcquireLockFunctionArn}` → `AcquireLock`). */
export function taskNames(definitionText: string): string[] {
  const names = new Set<string>();
  for (const m of definitionText.matchAll(PLACEHOLDER)) {
    const key = m[1]!;
    if (!key.endsWith('FunctionArn')) throw new Error(`unexpected substitution \${${key}}: only \${<Task>FunctionArn} is used`);
    names.add(key.slice(0, -'FunctionArn'.length));
  }
  return [...names].sort();
}

/** Replaces every `${Key}` with `substitutions[Key]`; a missing substitution is an error, as in CloudFormation. */
export function substitute(definitionText: string, substitutions: Record<string, string>): AslDefinition {
  const text = definitionText.replace(PLACEHOLDER, (_m, key: string) => {
    const v = substitutions[key];
    if (v === undefined) throw new Error(`no substitution for \${${key}}`);
    return v;
  });
  return JSON.parse(text) as AslDefinition;
}

/** Lambda ARNs for local runs: the function names the CDK stack would give, in the sandbox account. */
export function localFunctionArns(names: string[], region = 'us-east-1', accountId = '123456789012'): Record<string, string> {
  return Object.fromEntries(names.map((n) => [`${n}FunctionArn`, `arn:aws:lambda:${region}:${accountId}:function:two-way-sms-${n}`]));
}

/** The task name behind a substituted Lambda ARN (`...:function:two-way-sms-AcquireLock` → `AcquireLock`). */
export function taskNameOfArn(arn: string): string | undefined {
  return arn.match(/:function:two-way-sms-([A-Za-z0-9]+)$/)?.[1];
}
