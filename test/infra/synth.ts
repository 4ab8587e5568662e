import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { TwoWaySmsStack } from '../../infra/stack';

/** A fixed account and region for tests that read ARNs as plain strings. */
export const TEST_ENV = { account: '111122223333', region: 'eu-west-1' } as const;

export interface Synthesized {
  stack: TwoWaySmsStack;
  template: Template;
  json: { Resources: Record<string, { Type: string; Properties?: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string; DependsOn?: unknown }>; Outputs?: Record<string, any> };
  outdir: string;
  templateFile: string;
}

export interface SynthOptions {
  /** Fixed env (plain-string ARNs) or environment-agnostic (as `npm run synth`). */
  env?: { account: string; region: string };
  context?: Record<string, unknown>;
  /** Register the cdk-nag packs; the validation report lands in `outdir`. */
  nag?: boolean;
}

/**
 * Synthesizes the stack once (callers share the result per test file). Lambda bundling is skipped here
 * (`aws:cdk:bundling-stacks: []`): bundles.test.ts builds every bundle itself in one esbuild call.
 */
export function synth(opts: SynthOptions = {}): Synthesized & { synthError?: Error } {
  const outdir = mkdtempSync(join(tmpdir(), 'two-way-sms-cdk-'));
  const app = new App({
    outdir,
    context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:validationReportJson': true, ...opts.context },
  });
  const stack = new TwoWaySmsStack(app, 'TwoWaySms', opts.env ? { env: opts.env } : {});
  if (opts.nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  let synthError: Error | undefined;
  try {
    app.synth();
  } catch (e) {
    // A validation plugin that reports a violation interrupts synthesis; the report is in outdir.
    synthError = e as Error;
  }
  const templateFile = join(outdir, 'TwoWaySms.template.json');
  const json = JSON.parse(readFileSync(templateFile, 'utf8')) as Synthesized['json'];
  return { stack, template: Template.fromJSON(json), json, outdir, templateFile, ...(synthError ? { synthError } : {}) };
}

/** The resources of one type, by logical id. */
export function resourcesOf(json: Synthesized['json'], type: string): [string, { Properties?: Record<string, any>; DeletionPolicy?: string }][] {
  return Object.entries(json.Resources).filter(([, r]) => r.Type === type);
}

/** The logical id of a construct's CloudFormation resource. */
export function logicalId(stack: TwoWaySmsStack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as never);
}
