import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { awsCli, control, startSandbox, type RunningSandbox } from '../../support/sandbox';

describe('sandbox edge routing', () => {
  let sb: RunningSandbox;
  beforeAll(async () => {
    sb = await startSandbox();
  });
  afterAll(async () => {
    await sb.stop();
  });

  it('answers STS GetCallerIdentity through the SDK with the sandbox account', async () => {
    const sts = new STSClient(sb.clientConfig);
    const out = await sts.send(new GetCallerIdentityCommand({}));
    expect(out.Account).toBe('123456789012');
    expect(out.Arn).toBe('arn:aws:iam::123456789012:user/sandbox');
  });

  it('answers the AWS CLI sts get-caller-identity', async () => {
    const out = await awsCli(sb.url, ['sts', 'get-caller-identity']);
    expect(out.code).toBe(0);
    expect(out.json).toEqual({ UserId: 'AIDASANDBOXUSER00000', Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/sandbox' });
  });

  it('records each call in the call log with its service and operation', async () => {
    const before = (await control(sb.url, 'GET', '/_sandbox/calls')).body.calls.length as number;
    await new STSClient(sb.clientConfig).send(new GetCallerIdentityCommand({}));
    const calls = (await control(sb.url, 'GET', '/_sandbox/calls?service=sts')).body.calls;
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.at(-1)).toMatchObject({ service: 'sts', operation: 'GetCallerIdentity', mutating: false, status: 200 });
    const all = (await control(sb.url, 'GET', '/_sandbox/calls')).body.calls;
    expect(all.length).toBe(before + 1);
  });

  it('answers an unknown awsQuery action with InvalidAction in XML', async () => {
    const res = await fetch(sb.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=NoSuchThing&Version=2011-06-15',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('<Code>InvalidAction</Code>');
  });

  it('returns an injected fault in the service wire format and then recovers', async () => {
    const added = await control(sb.url, 'POST', '/_sandbox/faults', { service: 'sts', operation: 'GetCallerIdentity', error: 'Throttling', count: 1 });
    expect(added.status).toBe(200);
    const sts = new STSClient(sb.clientConfig);
    await expect(sts.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: 'Throttling' });
    await expect(sts.send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Account: '123456789012' });
  });

  it('rejects a fault without an error code, naming the field', async () => {
    const res = await control(sb.url, 'POST', '/_sandbox/faults', { service: 'sts', operation: 'GetCallerIdentity' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ field: 'error' });
  });
});
