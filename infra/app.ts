import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { TwoWaySmsStack } from './stack';

/**
 * The CDK app. The CDK CLI runs it through `cdk.json` (passing that file's context); `npm run synth` runs it
 * directly, so it reads `cdk.json`'s context itself and writes `cdk.out/`. Environment-agnostic unless
 * `-c account=... -c region=...` pin it: synthesis needs no credentials and makes no look-ups.
 */
const underCli = process.env.CDK_CONTEXT_JSON !== undefined || process.env.CDK_OUTDIR !== undefined;
const cdkJson = JSON.parse(readFileSync(join(__dirname, '..', 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
const app = new App(underCli ? {} : { outdir: 'cdk.out', context: { ...cdkJson.context, ...argvContext(process.argv.slice(2)) } });
const account: unknown = app.node.tryGetContext('account');
const region: unknown = app.node.tryGetContext('region');
const stackName: unknown = app.node.tryGetContext('stackName') ?? 'TwoWaySms';
new TwoWaySmsStack(app, String(stackName), {
  ...(typeof account === 'string' && typeof region === 'string' ? { env: { account, region } } : {}),
});
app.synth();

/** `npm run synth -- -c key=value ...`: the same context flags the CDK CLI takes. */
function argvContext(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    if (args[i] !== '-c' && args[i] !== '--context') throw new Error(`unexpected argument '${args[i]}': only -c key=value is understood`);
    const pair = args[++i] ?? '';
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`-c needs key=value, not '${pair}'`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}
