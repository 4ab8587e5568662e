import { randomUUID } from 'node:crypto';
import type { CallContext, RestRequest, RestResponse } from '../../core/types';
import type { SandboxState } from '../../state';
import type { PhoneNumberRecord as SourceNumberRecord } from '../sms-voice/model';
import { connectError, notFound } from './errors';
import { checkClientToken } from './idempotency';
import { arnRegion, findContactFlow, findInstance, requireInstance } from './instances';
import type { ConnectPhoneNumberRecord } from './model';
import { page } from './paging';
import { Members } from './validate';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SOURCE_ARN = /^arn:(aws[a-z-]*):sms-voice:([a-z0-9-]+):(\d{12}):phone-number\/([^/]+)$/;
const CONNECT_NUMBER_ARN = /^arn:aws[a-z-]*:connect:[a-z0-9-]+:\d{12}:phone-number\/([^/]+)$/;
const INSTANCE_ARN = /^arn:aws[a-z-]*:connect:([a-z0-9-]+):(\d{12}):instance\/([^/]+)$/;
const TDG_ARN = /^arn:aws[a-z-]*:connect:[a-z0-9-]+:\d{12}:traffic-distribution-group\/[^/]+$/;
const PHONE_NUMBER_TYPES = ['TOLL_FREE', 'DID', 'UIFN', 'SHARED', 'THIRD_PARTY_TF', 'THIRD_PARTY_DID', 'SHORT_CODE'] as const;
/** The model enumerates ISO 3166 alpha-2 codes; the sandbox checks their form only. */
const COUNTRY_CODE = /^[A-Z]{2}$/;
/** The model's pattern (`\\+?[0-9]{1,11}`) is escaped once too often; its documented meaning is this. */
const NUMBER_PREFIX = /^\+?[0-9]{1,11}$/;

type Status = ConnectPhoneNumberRecord['PhoneNumberStatus'];

/**
 * The status a reader sees: an import is IN_PROGRESS until `connectClaimDelayMs` has passed since ImportedAt,
 * then CLAIMED. Computed on read (reads never save state); mutating calls store it once they touch the record.
 */
export function effectiveStatus(rec: ConnectPhoneNumberRecord, now: Date, claimDelayMs: number): Status {
  if (rec.PhoneNumberStatus.Status !== 'IN_PROGRESS') return rec.PhoneNumberStatus;
  return now.getTime() - Date.parse(rec.ImportedAt) >= claimDelayMs ? { Status: 'CLAIMED' } : rec.PhoneNumberStatus;
}

/** The Connect import of an End User Messaging number, with the status as of `now`; undefined if not imported. */
export function findImportBySource(state: SandboxState, sourcePhoneNumberArn: string, now: Date): ConnectPhoneNumberRecord | undefined {
  const rec = Object.values(state.connect.phoneNumbers).find((p) => p.SourcePhoneNumberArn === sourcePhoneNumberArn);
  return rec && { ...rec, PhoneNumberStatus: effectiveStatus(rec, now, state.settings.connectClaimDelayMs) };
}

function statusNow(ctx: CallContext, rec: ConnectPhoneNumberRecord): Status {
  return effectiveStatus(rec, ctx.now, ctx.state.settings.connectClaimDelayMs);
}

/** Stores the status a reader would see, so that raising the claim delay later cannot un-claim a number. */
function settle(ctx: CallContext, rec: ConnectPhoneNumberRecord): void {
  rec.PhoneNumberStatus = statusNow(ctx, rec);
}

/** `PhoneNumberId` may be the UUID or the phone number's ARN, as the API reference allows. */
function resolvePhoneNumber(ctx: CallContext, m: Members, idOrArn: string): ConnectPhoneNumberRecord {
  const numbers = Object.values(ctx.state.connect.phoneNumbers);
  let rec: ConnectPhoneNumberRecord | undefined;
  if (idOrArn.startsWith('arn:')) {
    if (!CONNECT_NUMBER_ARN.test(idOrArn)) throw m.fail(`PhoneNumberId '${idOrArn}' is not a valid Amazon Connect phone number ARN.`);
    rec = numbers.find((p) => p.PhoneNumberArn === idOrArn);
  } else {
    if (!UUID.test(idOrArn)) throw m.fail(`PhoneNumberId '${idOrArn}' is not a valid phone number id (a UUID) or ARN.`);
    rec = numbers.find((p) => p.PhoneNumberId === idOrArn);
  }
  if (!rec || arnRegion(rec.PhoneNumberArn) !== ctx.region) throw notFound(`Phone number not found: '${idOrArn}' is not claimed in ${ctx.region}.`);
  return rec;
}

/** End User Messaging number types as Connect reports them (long codes and 10DLC are direct-dial numbers). */
function connectNumberType(source: SourceNumberRecord): string {
  switch (source.NumberType) {
    case 'TOLL_FREE':
      return 'TOLL_FREE';
    case 'SHORT_CODE':
      return 'SHORT_CODE';
    default:
      return 'DID';
  }
}

function claimedSummary(ctx: CallContext, rec: ConnectPhoneNumberRecord): Record<string, unknown> {
  return {
    PhoneNumberId: rec.PhoneNumberId,
    PhoneNumberArn: rec.PhoneNumberArn,
    PhoneNumber: rec.PhoneNumber,
    PhoneNumberCountryCode: rec.PhoneNumberCountryCode,
    PhoneNumberType: rec.PhoneNumberType,
    ...(rec.PhoneNumberDescription !== undefined ? { PhoneNumberDescription: rec.PhoneNumberDescription } : {}),
    TargetArn: rec.TargetArn,
    InstanceId: rec.InstanceId,
    Tags: rec.Tags,
    PhoneNumberStatus: statusNow(ctx, rec),
    SourcePhoneNumberArn: rec.SourcePhoneNumberArn,
  };
}

function listSummary(rec: ConnectPhoneNumberRecord): Record<string, unknown> {
  return {
    PhoneNumberId: rec.PhoneNumberId,
    PhoneNumberArn: rec.PhoneNumberArn,
    PhoneNumber: rec.PhoneNumber,
    PhoneNumberCountryCode: rec.PhoneNumberCountryCode,
    PhoneNumberType: rec.PhoneNumberType,
    TargetArn: rec.TargetArn,
    InstanceId: rec.InstanceId,
    ...(rec.PhoneNumberDescription !== undefined ? { PhoneNumberDescription: rec.PhoneNumberDescription } : {}),
    SourcePhoneNumberArn: rec.SourcePhoneNumberArn,
  };
}

interface ImportResponse {
  PhoneNumberId: string;
  PhoneNumberArn: string;
}

export function importPhoneNumber(req: RestRequest, ctx: CallContext): RestResponse {
  const m = Members.fromBody(req.body, 'InvalidParameterException');
  const instanceId = m.string('InstanceId', { required: true, min: 1, max: 100 });
  const sourceArn = m.string('SourcePhoneNumberArn', { required: true, min: 1 });
  const description = m.string('PhoneNumberDescription', { max: 500 });
  const tags = m.tags();
  const clientToken = m.string('ClientToken', { max: 500 });

  const token = checkClientToken<ImportResponse>(ctx, 'ImportPhoneNumber', clientToken, {
    InstanceId: instanceId,
    SourcePhoneNumberArn: sourceArn,
    PhoneNumberDescription: description,
    Tags: tags,
  });
  if (token.replay) return { body: token.replay };

  const arn = SOURCE_ARN.exec(sourceArn);
  if (!arn) {
    throw m.fail(`SourcePhoneNumberArn '${sourceArn}' is not the ARN of an AWS End User Messaging phone number (arn:aws:sms-voice:REGION:ACCOUNT:phone-number/ID).`);
  }
  const instance = requireInstance(ctx, instanceId);
  if (arn[2] !== ctx.region) {
    throw m.fail(`SourcePhoneNumberArn is in ${arn[2]}, but ImportPhoneNumber imports only numbers of the instance's own region (${ctx.region}).`);
  }
  const source = Object.values(ctx.state.smsVoice.phoneNumbers).find((p) => p.PhoneNumberArn === sourceArn);
  if (arn[3] !== ctx.accountId || !source || source.Status === 'DELETED') {
    throw notFound(`Phone number not found: ${sourceArn} is not a phone number of AWS End User Messaging in this account.`);
  }
  if (source.Status !== 'ACTIVE') {
    throw m.fail(`SourcePhoneNumberArn ${sourceArn} is ${source.Status}; only an ACTIVE number can be imported.`);
  }
  const existing = Object.values(ctx.state.connect.phoneNumbers).find((p) => p.SourcePhoneNumberArn === sourceArn);
  if (existing) {
    // The model lists no ResourceInUseException for this operation; a duplicate is a bad parameter.
    throw m.fail(`SourcePhoneNumberArn ${sourceArn} is already imported into instance ${existing.InstanceId} as phone number ${existing.PhoneNumberId}.`);
  }

  const id = randomUUID();
  const rec: ConnectPhoneNumberRecord = {
    PhoneNumberId: id,
    PhoneNumberArn: `arn:${ctx.partition}:connect:${ctx.region}:${ctx.accountId}:phone-number/${id}`,
    PhoneNumber: source.PhoneNumber,
    PhoneNumberCountryCode: source.IsoCountryCode,
    PhoneNumberType: connectNumberType(source),
    ...(description !== undefined ? { PhoneNumberDescription: description } : {}),
    TargetArn: instance.Arn,
    InstanceId: instance.Id,
    SourcePhoneNumberArn: sourceArn,
    Tags: tags ?? {},
    PhoneNumberStatus: { Status: 'IN_PROGRESS' },
    ImportedAt: ctx.now.toISOString(),
  };
  ctx.state.connect.phoneNumbers[id] = rec;
  const out: ImportResponse = { PhoneNumberId: rec.PhoneNumberId, PhoneNumberArn: rec.PhoneNumberArn };
  token.remember(out);
  return { body: out };
}

export function describePhoneNumber(req: RestRequest, ctx: CallContext): RestResponse {
  const m = Members.fromBody(req.params, 'InvalidParameterException');
  const rec = resolvePhoneNumber(ctx, m, m.string('PhoneNumberId', { required: true, min: 1 }));
  return { body: { ClaimedPhoneNumberSummary: claimedSummary(ctx, rec) } };
}

export function listPhoneNumbersV2(req: RestRequest, ctx: CallContext): RestResponse {
  const m = Members.fromBody(req.body, 'InvalidParameterException');
  const targetArn = m.string('TargetArn', { min: 1 });
  const instanceId = m.string('InstanceId', { min: 1, max: 100 });
  const maxResults = m.integer('MaxResults', 1, 1000) ?? 100;
  const nextToken = m.string('NextToken', { min: 1, max: 100000 });
  const countries = m.stringList('PhoneNumberCountryCodes', 10, { pattern: COUNTRY_CODE });
  const types = m.stringList('PhoneNumberTypes', 6, { enum: PHONE_NUMBER_TYPES });
  const prefix = m.string('PhoneNumberPrefix', { pattern: NUMBER_PREFIX });

  let target: string | undefined;
  if (targetArn !== undefined) {
    if (TDG_ARN.test(targetArn)) throw notFound(`Traffic distribution group not found: ${targetArn} (the sandbox has none).`);
    const parts = INSTANCE_ARN.exec(targetArn);
    if (!parts) throw m.fail(`TargetArn '${targetArn}' is not the ARN of an Amazon Connect instance or traffic distribution group.`);
    const instance = findInstance(ctx, parts[3]!);
    if (!instance || instance.Arn !== targetArn) throw notFound(`Instance not found: ${targetArn}.`);
    target = instance.Id;
  }
  if (instanceId !== undefined) {
    requireInstance(ctx, instanceId);
    if (target !== undefined && target !== instanceId) throw m.fail(`TargetArn ${targetArn} and InstanceId ${instanceId} name different instances.`);
    target = instanceId;
  }
  const wantedPrefix = prefix === undefined ? undefined : prefix.startsWith('+') ? prefix : `+${prefix}`;
  const matches = Object.values(ctx.state.connect.phoneNumbers).filter(
    (p) =>
      arnRegion(p.PhoneNumberArn) === ctx.region &&
      (target === undefined || p.InstanceId === target) &&
      (countries === undefined || countries.includes(p.PhoneNumberCountryCode)) &&
      (types === undefined || types.includes(p.PhoneNumberType)) &&
      (wantedPrefix === undefined || p.PhoneNumber.startsWith(wantedPrefix)),
  );
  const result = page(matches, (p) => `${p.ImportedAt}|${p.PhoneNumberId}`, maxResults, nextToken, (msg) => m.fail(msg));
  return { body: { ListPhoneNumbersSummaryList: result.items.map(listSummary), ...(result.nextToken ? { NextToken: result.nextToken } : {}) } };
}

export function releasePhoneNumber(req: RestRequest, ctx: CallContext): RestResponse {
  const m = new Members({ ...req.params, ClientToken: req.query.get('clientToken') ?? undefined }, 'InvalidParameterException');
  const idOrArn = m.string('PhoneNumberId', { required: true, min: 1 });
  const clientToken = m.string('ClientToken', { max: 500 });

  const token = checkClientToken<Record<string, never>>(ctx, 'ReleasePhoneNumber', clientToken, { PhoneNumberId: idOrArn });
  if (token.replay) return {};

  const rec = resolvePhoneNumber(ctx, m, idOrArn);
  const status = statusNow(ctx, rec);
  if (status.Status === 'IN_PROGRESS') {
    // The number is still being claimed into the instance; AWS answers the modelled ResourceInUseException.
    throw connectError('ResourceInUseException', `Phone number ${rec.PhoneNumberId} is still being imported (IN_PROGRESS); release it once it is CLAIMED.`, {
      ResourceType: 'PHONE_NUMBER',
      ResourceId: rec.PhoneNumberArn,
    });
  }
  delete ctx.state.connect.phoneNumbers[rec.PhoneNumberId];
  token.remember({});
  return {};
}

/** The number and the instance of a contact-flow call; the number must be claimed to that instance. */
function numberOfInstance(ctx: CallContext, m: Members, idOrArn: string, instanceId: string): ConnectPhoneNumberRecord {
  const rec = resolvePhoneNumber(ctx, m, idOrArn);
  requireInstance(ctx, instanceId);
  if (rec.InstanceId !== instanceId) throw notFound(`Phone number not found: ${rec.PhoneNumberId} is not claimed to instance ${instanceId}.`);
  return rec;
}

export function associatePhoneNumberContactFlow(req: RestRequest, ctx: CallContext): RestResponse {
  const m = new Members({ ...req.body, ...req.params }, 'InvalidParameterException');
  const idOrArn = m.string('PhoneNumberId', { required: true, min: 1 });
  const instanceId = m.string('InstanceId', { required: true, min: 1, max: 100 });
  const contactFlowId = m.string('ContactFlowId', { required: true, min: 1, max: 500 });
  const rec = numberOfInstance(ctx, m, idOrArn, instanceId);
  const status = statusNow(ctx, rec);
  if (status.Status !== 'CLAIMED') {
    // Stricter than AWS may be: the sandbox makes callers wait for CLAIMED, as DescribePhoneNumber polling should.
    throw m.fail(`Phone number ${rec.PhoneNumberId} is ${status.Status}; a flow can be associated once it is CLAIMED.`);
  }
  if (!findContactFlow(requireInstance(ctx, instanceId), contactFlowId)) {
    throw notFound(`Contact flow not found: no contact flow with id '${contactFlowId}' in instance ${instanceId}.`);
  }
  settle(ctx, rec);
  rec.ContactFlowId = contactFlowId;
  return {};
}

export function disassociatePhoneNumberContactFlow(req: RestRequest, ctx: CallContext): RestResponse {
  const m = new Members({ ...req.params, InstanceId: req.query.get('instanceId') ?? undefined }, 'InvalidParameterException');
  const idOrArn = m.string('PhoneNumberId', { required: true, min: 1 });
  const instanceId = m.string('InstanceId', { required: true, min: 1, max: 100 });
  const rec = numberOfInstance(ctx, m, idOrArn, instanceId);
  settle(ctx, rec);
  delete rec.ContactFlowId;
  return {};
}
