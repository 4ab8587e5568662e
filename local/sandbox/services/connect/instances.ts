import { createHash, randomUUID } from 'node:crypto';
import type { CallContext, RestRequest, RestResponse } from '../../core/types';
import { epochSeconds } from '../../core/wire';
import { connectError, notFound } from './errors';
import { checkClientToken } from './idempotency';
import type { ContactFlowRecord, InstanceRecord } from './model';
import { page } from './paging';
import { Members } from './validate';

const DIRECTORY_TYPES = ['SAML', 'CONNECT_MANAGED', 'EXISTING_DIRECTORY'] as const;
/** `DirectoryAlias`: 1-45 characters, letters, digits and inner hyphens, not starting with `d-`. */
const ALIAS = /^(?!d-)([\da-zA-Z]+)([-]*[\da-zA-Z])*$/;
const DIRECTORY_ID = /^d-[0-9a-f]{10}$/;

/** Region field of an ARN (`arn:aws:connect:REGION:ACCOUNT:...`). */
export function arnRegion(arn: string): string | undefined {
  return arn.split(':')[3];
}

/** An instance is visible only in the region it was created in, as on AWS. */
export function findInstance(ctx: CallContext, instanceId: string): InstanceRecord | undefined {
  const rec = Object.hasOwn(ctx.state.connect.instances, instanceId) ? ctx.state.connect.instances[instanceId] : undefined;
  return rec && arnRegion(rec.Arn) === ctx.region ? rec : undefined;
}

export function requireInstance(ctx: CallContext, instanceId: string): InstanceRecord {
  const rec = findInstance(ctx, instanceId);
  if (!rec) throw notFound(`Instance not found: no Amazon Connect instance with id '${instanceId}' in ${ctx.region}.`);
  return rec;
}

function aliasTaken(ctx: CallContext, alias: string): boolean {
  // Aliases name the instance's access URL (`https://ALIAS.my.connect.aws`), so they are unique case-insensitively.
  return Object.values(ctx.state.connect.instances).some((i) => i.InstanceAlias?.toLowerCase() === alias.toLowerCase());
}

function newInstance(
  ctx: CallContext,
  fields: { IdentityManagementType: string; InstanceAlias: string; InboundCallsEnabled: boolean; OutboundCallsEnabled: boolean; Tags: Record<string, string> },
): InstanceRecord {
  const id = randomUUID();
  const roleSuffix = createHash('sha256').update(id).digest('hex').slice(0, 12).toUpperCase();
  const arn = `arn:${ctx.partition}:connect:${ctx.region}:${ctx.accountId}:instance/${id}`;
  return {
    Id: id,
    Arn: arn,
    ContactFlows: defaultContactFlows(arn),
    IdentityManagementType: fields.IdentityManagementType,
    InstanceAlias: fields.InstanceAlias,
    CreatedTime: ctx.now.toISOString(),
    ServiceRole: `arn:${ctx.partition}:iam::${ctx.accountId}:role/aws-service-role/connect.amazonaws.com/AWSServiceRoleForAmazonConnect_${roleSuffix}`,
    // AWS creates an instance asynchronously (CREATION_IN_PROGRESS for a minute or two); the sandbox makes it
    // ACTIVE at once, because nothing in this project depends on waiting for it.
    InstanceStatus: 'ACTIVE',
    InboundCallsEnabled: fields.InboundCallsEnabled,
    OutboundCallsEnabled: fields.OutboundCallsEnabled,
    Tags: fields.Tags,
  };
}

/** Some of the flows AWS gives every new instance (published, ACTIVE), with new ids. */
const DEFAULT_FLOWS: readonly Pick<ContactFlowRecord, 'Name' | 'Type' | 'Description'>[] = [
  { Name: 'Default inbound flow', Type: 'CONTACT_FLOW', Description: 'Default flow for inbound contacts' },
  { Name: 'Sample inbound flow (first contact experience)', Type: 'CONTACT_FLOW', Description: 'Sample flow for inbound contacts' },
  { Name: 'Default customer queue', Type: 'CUSTOMER_QUEUE', Description: 'Default queue flow' },
  { Name: 'Default agent whisper', Type: 'AGENT_WHISPER', Description: 'Default agent whisper' },
];

function defaultContactFlows(instanceArn: string): Record<string, ContactFlowRecord> {
  const out: Record<string, ContactFlowRecord> = {};
  for (const f of DEFAULT_FLOWS) {
    const id = randomUUID();
    out[id] = { ...f, Id: id, Arn: `${instanceArn}/contact-flow/${id}`, State: 'ACTIVE', Status: 'PUBLISHED' };
  }
  return out;
}

/** The instance's flow with this id, or `undefined`. */
export function findContactFlow(instance: InstanceRecord, flowId: string): ContactFlowRecord | undefined {
  const flows = instance.ContactFlows ?? {};
  return Object.hasOwn(flows, flowId) ? flows[flowId] : undefined;
}

/**
 * Creates an ACTIVE CONNECT_MANAGED instance with inbound and outbound calls enabled (seeding and tests).
 * Throws the AwsError CreateInstance would for an invalid or taken alias.
 */
export function addInstance(ctx: CallContext, input: { InstanceAlias: string; Tags?: Record<string, string> }): InstanceRecord {
  const m = Members.fromBody({ InstanceAlias: input.InstanceAlias, Tags: input.Tags }, 'InvalidRequestException');
  const alias = m.string('InstanceAlias', { required: true, min: 1, max: 45, pattern: ALIAS });
  const tags = m.tags() ?? {};
  if (aliasTaken(ctx, alias)) throw connectError('InvalidRequestException', `InstanceAlias '${alias}' is already in use.`);
  const rec = newInstance(ctx, { IdentityManagementType: 'CONNECT_MANAGED', InstanceAlias: alias, InboundCallsEnabled: true, OutboundCallsEnabled: true, Tags: tags });
  ctx.state.connect.instances[rec.Id] = rec;
  return rec;
}

export function createInstance(req: RestRequest, ctx: CallContext): RestResponse {
  const m = Members.fromBody(req.body, 'InvalidRequestException');
  const clientToken = m.string('ClientToken', { max: 500 });
  const type = m.string('IdentityManagementType', { required: true, enum: DIRECTORY_TYPES });
  const alias = m.string('InstanceAlias', { min: 1, max: 45, pattern: ALIAS });
  const directoryId = m.string('DirectoryId', { min: 12, max: 12, pattern: DIRECTORY_ID });
  const inbound = m.boolean('InboundCallsEnabled', true);
  const outbound = m.boolean('OutboundCallsEnabled', true);
  const tags = m.tags();
  if (type === 'EXISTING_DIRECTORY' && directoryId === undefined) throw m.fail('DirectoryId is required when IdentityManagementType is EXISTING_DIRECTORY.');
  if (type !== 'EXISTING_DIRECTORY' && directoryId !== undefined) throw m.fail(`DirectoryId is allowed only when IdentityManagementType is EXISTING_DIRECTORY, not ${type}.`);
  if (type !== 'EXISTING_DIRECTORY' && alias === undefined) throw m.fail(`InstanceAlias is required when IdentityManagementType is ${type}.`);

  const request = { IdentityManagementType: type, InstanceAlias: alias, DirectoryId: directoryId, InboundCallsEnabled: inbound, OutboundCallsEnabled: outbound, Tags: tags };
  const token = checkClientToken<{ Id: string; Arn: string }>(ctx, 'CreateInstance', clientToken, request);
  if (token.replay) return { body: token.replay };

  if (directoryId !== undefined) {
    // The sandbox has no AWS Directory Service, so no directory can exist.
    throw notFound(`Directory '${directoryId}' not found: the sandbox has no AWS Directory Service directories; use CONNECT_MANAGED or SAML.`);
  }
  if (alias !== undefined && aliasTaken(ctx, alias)) throw connectError('InvalidRequestException', `InstanceAlias '${alias}' is already in use.`);

  const rec = newInstance(ctx, { IdentityManagementType: type, InstanceAlias: alias ?? '', InboundCallsEnabled: inbound, OutboundCallsEnabled: outbound, Tags: tags ?? {} });
  ctx.state.connect.instances[rec.Id] = rec;
  const out = { Id: rec.Id, Arn: rec.Arn };
  token.remember(out);
  return { body: out };
}

function summary(rec: InstanceRecord): Record<string, unknown> {
  return {
    Id: rec.Id,
    Arn: rec.Arn,
    IdentityManagementType: rec.IdentityManagementType,
    ...(rec.InstanceAlias ? { InstanceAlias: rec.InstanceAlias, InstanceAccessUrl: `https://${rec.InstanceAlias}.my.connect.aws` } : {}),
    CreatedTime: epochSeconds(rec.CreatedTime),
    ServiceRole: rec.ServiceRole,
    InstanceStatus: rec.InstanceStatus,
    InboundCallsEnabled: rec.InboundCallsEnabled,
    OutboundCallsEnabled: rec.OutboundCallsEnabled,
  };
}

export function describeInstance(req: RestRequest, ctx: CallContext): RestResponse {
  const m = Members.fromBody(req.params, 'InvalidRequestException');
  const id = m.string('InstanceId', { required: true, min: 1, max: 100 });
  const rec = requireInstance(ctx, id);
  return { body: { Instance: { ...summary(rec), Tags: rec.Tags } } };
}

export function listInstances(req: RestRequest, ctx: CallContext): RestResponse {
  const m = Members.fromQuery(req.query, 'InvalidRequestException');
  const maxResults = m.integer('maxResults', 1, 10) ?? 10;
  const nextToken = m.string('nextToken', { min: 1 });
  const visible = Object.values(ctx.state.connect.instances).filter((i) => arnRegion(i.Arn) === ctx.region);
  const result = page(visible, (i) => `${i.CreatedTime}|${i.Id}`, maxResults, nextToken, (msg) => m.fail(msg));
  return { body: { InstanceSummaryList: result.items.map(summary), ...(result.nextToken ? { NextToken: result.nextToken } : {}) } };
}

/** DescribeContactFlow: a flow of an instance of this region; ResourceNotFoundException for an unknown one. */
export function describeContactFlow(req: RestRequest, ctx: CallContext): RestResponse {
  const m = Members.fromBody(req.params, 'InvalidParameterException');
  const instanceId = m.string('InstanceId', { required: true, min: 1, max: 100 });
  const flowId = m.string('ContactFlowId', { required: true, min: 1, max: 500 });
  const flow = findContactFlow(requireInstance(ctx, instanceId), flowId);
  if (!flow) throw notFound(`Contact flow not found: no contact flow with id '${flowId}' in instance ${instanceId}.`);
  return { body: { ContactFlow: { Arn: flow.Arn, Id: flow.Id, Name: flow.Name, Type: flow.Type, State: flow.State, Status: flow.Status, ...(flow.Description ? { Description: flow.Description } : {}), Content: '{}', Tags: {} } } };
}

/** ListContactFlows: the instance's flows, optionally of some types, paged. */
export function listContactFlows(req: RestRequest, ctx: CallContext): RestResponse {
  const m = Members.fromQuery(req.query, 'InvalidParameterException');
  const maxResults = m.integer('maxResults', 1, 1000) ?? 100;
  const nextToken = m.string('nextToken', { min: 1 });
  const instanceId = Members.fromBody(req.params, 'InvalidParameterException').string('InstanceId', { required: true, min: 1, max: 100 });
  const types = req.query.getAll('contactFlowTypes');
  const flows = Object.values(requireInstance(ctx, instanceId).ContactFlows ?? {}).filter((f) => types.length === 0 || types.includes(f.Type));
  const result = page(flows, (f) => `${f.Name}|${f.Id}`, maxResults, nextToken, (msg) => m.fail(msg));
  return {
    body: {
      ContactFlowSummaryList: result.items.map((f) => ({ Id: f.Id, Arn: f.Arn, Name: f.Name, ContactFlowType: f.Type, ContactFlowState: f.State, ContactFlowStatus: f.Status })),
      ...(result.nextToken ? { NextToken: result.nextToken } : {}),
    },
  };
}
