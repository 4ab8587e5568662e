import { deprovisionBody, flagOf, provisionBody } from '../../../api/cli/destination';
import { ProvisionBody } from '../../../api/schemas';

/** `provision` flags → the request body: each destination kind, checked against the API's own request schema. */

const N = '+12065550100';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:two-way-demo-inbound';
const ROLE = 'arn:aws:iam::123456789012:role/TwoWaySmsDemoRole';
const INSTANCE = '0f6c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f';

describe('provisionBody', () => {
  it.each([
    ['new topic, new role', { topicName: 'in', newRole: true }, { type: 'sns', topic: { create: { name: 'in' } }, access: { type: 'role', role: { create: {} } } }],
    ['new encrypted topic, named role', { topicName: 'in', kmsKey: 'alias/two-way-demo', roleName: 'R' }, { type: 'sns', topic: { create: { name: 'in', kmsKeyId: 'alias/two-way-demo' } }, access: { type: 'role', role: { create: { name: 'R' } } } }],
    ['existing topic, existing role', { topicArn: TOPIC, roleArn: ROLE }, { type: 'sns', topic: { arn: TOPIC }, access: { type: 'role', role: { arn: ROLE } } }],
    ['existing topic, topic policy', { topicArn: TOPIC, topicPolicy: true }, { type: 'sns', topic: { arn: TOPIC }, access: { type: 'topicPolicy' } }],
    ['Connect, new role, contact flow', { connectInstance: INSTANCE, newRole: true, contactFlow: 'flow-1' }, { type: 'connect', instanceId: INSTANCE, role: { create: {} }, contactFlowId: 'flow-1' }],
    ['Connect, existing role', { connectInstance: INSTANCE, roleArn: ROLE }, { type: 'connect', instanceId: INSTANCE, role: { arn: ROLE } }],
  ])('%s', (_what, flags, destination) => {
    const body = provisionBody(N, flags);

    expect(body).toEqual({ phoneNumberId: N, destination });
    expect(ProvisionBody.safeParse(body).success).toBe(true);
  });

  it('--pool sends poolId; --ticket and --ticket-url become the ticket (the key may contain colons)', () => {
    const body = provisionBody('pool-0123abcd', { pool: true, topicArn: TOPIC, topicPolicy: true, ticket: 'servicenow:CHG0001:2', ticketUrl: 'https://sn.example.com/CHG0001' });

    expect(body).toEqual({
      poolId: 'pool-0123abcd',
      destination: { type: 'sns', topic: { arn: TOPIC }, access: { type: 'topicPolicy' } },
      ticket: { system: 'servicenow', key: 'CHG0001:2', url: 'https://sn.example.com/CHG0001' },
    });
    expect(ProvisionBody.safeParse(body).success).toBe(true);
  });

  it('disable sends a body only with a ticket', () => {
    expect(deprovisionBody()).toBeUndefined();
    expect(deprovisionBody('jira:OPS-43')).toEqual({ ticket: { system: 'jira', key: 'OPS-43' } });
  });

  it('maps API field names back to flags', () => {
    expect(flagOf('destination.topic.create.name')).toBe('--topic-name');
    expect(flagOf('destination.access.role.arn')).toBe('--role-arn');
    expect(flagOf('destination.role.create.name')).toBe('--role-name');
    expect(flagOf('destination.instanceId')).toBe('--connect-instance');
    expect(flagOf('ticket.key')).toBe('--ticket');
    expect(flagOf('phoneNumberId', { phoneNumberId: '--phone-number' })).toBe('--phone-number');
    expect(flagOf('somethingElse')).toBeUndefined();
  });
});
