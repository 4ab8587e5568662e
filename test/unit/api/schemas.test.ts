import { z } from 'zod';
import { fieldErrors } from '../../../api/problem';
import { ApiDestination, ApiTicket, ProvisionBody } from '../../../api/schemas';
import { Destination, Ticket } from '../../../tasks/lib/request';

/** The API's schemas are the task schemas, only stricter: whatever the API accepts, the state machine accepts. */

const ACCOUNT = '123456789012';
const VALID_DESTINATIONS = [
  { type: 'sns', topic: { create: { name: 'inbound' } }, access: { type: 'role', role: { create: {} } } },
  { type: 'sns', topic: { create: { name: 'inbound_2', kmsKeyId: 'alias/two-way-demo' } }, access: { type: 'role', role: { create: { name: 'my.role@x' } } } },
  { type: 'sns', topic: { create: { name: 'enc', kmsKeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/0f6c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f` } }, access: { type: 'topicPolicy' } },
  { type: 'sns', topic: { arn: `arn:aws:sns:us-east-1:${ACCOUNT}:two-way-demo-inbound` }, access: { type: 'role', role: { arn: `arn:aws:iam::${ACCOUNT}:role/two-way-sms/TwoWay.Role` } } },
  { type: 'connect', instanceId: '0f6c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f', role: { create: {} }, contactFlowId: 'flow-1' },
  { type: 'connect', instanceId: `arn:aws:connect:us-east-1:${ACCOUNT}:instance/0f6c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f`, role: { arn: `arn:aws:iam::${ACCOUNT}:role/r` } },
];

describe('ApiDestination', () => {
  it.each(VALID_DESTINATIONS)('accepts what the task schema accepts: %j', (d) => {
    expect(ApiDestination.safeParse(d).success).toBe(true);
    expect(Destination.safeParse(d).success).toBe(true);
  });

  it.each([
    ['a topic ARN with policy characters', { type: 'sns', topic: { arn: `arn:aws:sns:us-east-1:${ACCOUNT}:x"*{}` }, access: { type: 'topicPolicy' } }],
    ['a role ARN with ..', { type: 'connect', instanceId: '0f6c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f', role: { arn: `arn:aws:iam::${ACCOUNT}:role/a/../b` } }],
    ['a role ARN with an empty segment', { type: 'connect', instanceId: '0f6c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f', role: { arn: `arn:aws:iam::${ACCOUNT}:role/a//b` } }],
    ['a key ARN with ..', { type: 'sns', topic: { create: { name: 'x', kmsKeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:alias/../x` } }, access: { type: 'topicPolicy' } }],
  ])('refuses %s, as the task schema does (executions started directly get the same checks)', (_name, d) => {
    expect(Destination.safeParse(d).success).toBe(false);
    expect(ApiDestination.safeParse(d).success).toBe(false);
  });
});

describe('ApiTicket', () => {
  it('accepts an ordinary ticket and refuses non-http URLs, as the task schema does', () => {
    expect(ApiTicket.safeParse({ system: 'servicenow', key: 'INC0012345', url: 'https://x.service-now.com/INC0012345' }).success).toBe(true);
    expect(Ticket.safeParse({ system: 'jira', key: 'k', url: 'javascript:alert(1)' }).success).toBe(false);
    expect(ApiTicket.safeParse({ system: 'jira', key: 'k', url: 'javascript:alert(1)' }).success).toBe(false);
  });
});

describe('fieldErrors', () => {
  const errors = (body: unknown) => {
    const r = ProvisionBody.safeParse(body);
    return r.success ? [] : fieldErrors(r.error.issues);
  };

  it('names each unknown key as its own field', () => {
    expect(errors({ phoneNumberId: 'phone-1', destination: VALID_DESTINATIONS[0], a: 1, b: 2 })).toEqual([
      { field: 'a', message: 'unknown field' },
      { field: 'b', message: 'unknown field' },
    ]);
  });

  it('names the field inside the union branch that came closest', () => {
    const body = { phoneNumberId: 'phone-1', destination: { type: 'sns', topic: { create: { name: 'ok' } }, access: { type: 'role', role: { arn: 'arn:aws:iam::1:role/x' } } } };

    expect(errors(body).map((e) => e.field)).toEqual(['destination.access.role.arn']);
  });

  it('names array elements with brackets and the root as body', () => {
    const r = z.object({ list: z.array(z.number()) }).safeParse({ list: [1, 'x'] });

    expect(fieldErrors(r.error!.issues)).toEqual([{ field: 'list[1]', message: expect.any(String) }]);
    expect(errors(null)).toEqual([{ field: 'body', message: expect.any(String) }]);
  });
});
