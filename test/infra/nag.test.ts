import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { synth } from './synth';

/**
 * cdk-nag's AwsSolutions and Serverless packs on the stack as `npm run synth` builds it (environment-
 * agnostic): no finding may be left unacknowledged, and every acknowledgement (infra/nag.ts) carries its
 * own specific reason.
 */
interface Report {
  pluginReports: {
    pluginName: string;
    conclusion: 'success' | 'failure';
    violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
    suppressedViolations?: { ruleName: string; reason: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

const s = synth({ nag: true });
const report = JSON.parse(readFileSync(join(s.outdir, 'validation-report.json'), 'utf8')) as Report;

describe('cdk-nag', () => {
  it('runs both packs', () => {
    expect(report.pluginReports.map((p) => p.pluginName).sort()).toEqual(['AwsSolutions', 'Serverless']);
  });

  it('leaves no finding unacknowledged', () => {
    const open = report.pluginReports.flatMap((p) => p.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} at ${c.constructPath}`)));
    expect(open).toEqual([]);
    expect(s.synthError).toBeUndefined();
  });

  it('has a specific written reason for every acknowledgement', () => {
    const acknowledged = report.pluginReports.flatMap((p) => p.suppressedViolations ?? []);
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const a of acknowledged) expect({ rule: a.ruleName, reasonIsSpecific: a.reason.length >= 60 }).toEqual({ rule: a.ruleName, reasonIsSpecific: true });
  });

  it('acknowledges wildcards only in resources, never in actions', () => {
    const actionWildcards = report.pluginReports.flatMap((p) => (p.suppressedViolations ?? []).filter((v) => v.ruleName.includes('[Action::')));
    expect(actionWildcards).toEqual([]);
  });

  it('acknowledges only these rules (a new kind of finding needs a decision, not a silent pass)', () => {
    const rules = new Set(report.pluginReports.flatMap((p) => (p.suppressedViolations ?? []).map((v) => v.ruleName.replace(/\[.*$/, ''))));
    expect([...rules].sort()).toEqual([
      'AwsSolutions-APIG2',
      'AwsSolutions-COG4',
      'AwsSolutions-IAM4',
      'AwsSolutions-IAM5',
      'AwsSolutions-L1',
      'AwsSolutions-SQS3',
      'Serverless-LambdaDLQ',
      'Serverless-LambdaLatestVersion',
      // sms-voice:DescribePhoneNumbers/DescribePools without ids: AWS authorizes them against "*".
      'Serverless-LambdaStarPermissions',
      'Serverless-SQSRedrivePolicy',
    ]);
  });
});
