import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { startMoto, type RunningMoto } from '../../support/moto';
import { startSandbox, type RunningSandbox } from '../../support/sandbox';

describe('STS against the sandbox and moto_server', () => {
  let sb: RunningSandbox;
  let moto: RunningMoto;
  beforeAll(async () => {
    [sb, moto] = await Promise.all([startSandbox(), startMoto()]);
  });
  afterAll(async () => {
    await Promise.all([sb.stop(), moto.stop()]);
  });

  it('reports the same account from GetCallerIdentity', async () => {
    const [ours, theirs] = await Promise.all(
      [sb.clientConfig, moto.clientConfig].map((c) => new STSClient(c).send(new GetCallerIdentityCommand({}))),
    );
    expect(ours!.Account).toBe(theirs!.Account);
    expect(typeof ours!.UserId).toBe(typeof theirs!.UserId);
    expect(ours!.Arn).toMatch(/^arn:aws:(iam|sts)::123456789012:/);
  });
});
