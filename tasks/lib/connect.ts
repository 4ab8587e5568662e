import { createHash } from 'node:crypto';
import {
  DescribeInstanceCommand,
  DescribePhoneNumberCommand,
  ListPhoneNumbersV2Command,
  type ClaimedPhoneNumberSummary,
  type ConnectClient,
  type Instance,
  type ListPhoneNumbersSummary,
} from '@aws-sdk/client-connect';
import { z } from 'zod';
import { classifyAwsError, DestinationNotUsable, InvalidInput, isAwsError } from './errors';
import { parseOrThrow } from './request';
import type { ImportResult, NumberResult } from './results';

/**
 * Shared by the Connect tasks (ImportToConnect, CheckImport, AssociateContactFlow, UndoImport): reading
 * Connect's view of an imported number, the deterministic client tokens, and the ledger data they share.
 */

type Connect = Pick<ConnectClient, 'send'>;

export type ImportStatus = ImportResult['status'];

/** What the `connectImport` ledger entry holds; written ahead of ImportPhoneNumber, completed after it. */
export interface ConnectImportData {
  /** The End User Messaging number that was (to be) imported, and its ARN (the import's SourcePhoneNumberArn). */
  numberId: string;
  sourcePhoneNumberArn: string;
  instanceId: string;
  /** The ClientToken of the ImportPhoneNumber call, and which attempt it belongs to (see importClientToken). */
  clientToken?: string;
  generation?: number;
  connectPhoneNumberId?: string;
  connectPhoneNumberArn?: string;
}

/** What the `contactFlow` ledger entry holds. */
export interface ContactFlowData {
  contactFlowId: string;
  connectPhoneNumberId: string;
  connectPhoneNumberArn: string;
  instanceId: string;
  /** Whether the number itself was imported by this provisioning (a reused import keeps its association on undo). */
  importedByUs: boolean;
}

const INSTANCE_ARN = /^arn:aws[a-z-]*:connect:([a-z0-9-]+):(\d{12}):instance\/([0-9a-f-]{36})$/;
const FLOW_ARN = /^arn:aws[a-z-]*:connect:[a-z0-9-]+:\d{12}:instance\/([0-9a-f-]{36})\/contact-flow\/([A-Za-z0-9_-]+)$/;

/** The request's `instanceId` (an id or an instance ARN) as the bare id the phone-number APIs compare with. */
export function connectInstanceId(idOrArn: string): string {
  return INSTANCE_ARN.exec(idOrArn)?.[3] ?? idOrArn;
}

/**
 * The contact flow id AssociatePhoneNumberContactFlow takes. A flow ARN is accepted in the request; it must
 * belong to the destination instance (a flow of another instance can never be associated).
 */
export function contactFlowIdOf(idOrArn: string, instanceId: string): string {
  if (!idOrArn.startsWith('arn:')) return idOrArn;
  const m = FLOW_ARN.exec(idOrArn);
  if (!m) throw new InvalidInput(`destination.contactFlowId '${idOrArn}' is neither a contact flow id nor a contact flow ARN`, { field: 'destination.contactFlowId' });
  if (m[1] !== instanceId) {
    throw new DestinationNotUsable(`destination.contactFlowId ${idOrArn} is a flow of instance ${m[1]}, not of the destination instance ${instanceId}`, {
      field: 'destination.contactFlowId',
    });
  }
  return m[2]!;
}

/** A UUID-shaped value derived from its parts: the same parts always give the same token. */
function deterministicToken(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  // Version-5-like layout, so that a service validating token form as a UUID accepts it.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * The ClientToken of ImportPhoneNumber. Deterministic, so a retry after an unknown outcome (Lambda timeout,
 * lost response) is the same request to Connect and cannot import twice. `generation` changes only when an
 * earlier import of this provisioning is known to be gone (released), because Connect replays a remembered
 * token's first answer: reusing it would hand back the id of the released number.
 */
export function importClientToken(provisioningId: string, numberId: string, instanceId: string, generation: number): string {
  return deterministicToken('two-way-sms', 'connect:ImportPhoneNumber', provisioningId, numberId, instanceId, String(generation));
}

/** The ClientToken of ReleasePhoneNumber: one per provisioning and Connect number, so a retried release is one release. */
export function releaseClientToken(provisioningId: string, connectPhoneNumberId: string): string {
  return deterministicToken('two-way-sms', 'connect:ReleasePhoneNumber', provisioningId, connectPhoneNumberId);
}

/** The instance, or DestinationNotUsable naming `destination.instanceId` when it does not exist or is not ACTIVE. */
export async function requireActiveInstance(connect: Connect, idOrArn: string): Promise<Instance & { Id: string; Arn: string }> {
  const id = connectInstanceId(idOrArn);
  let instance: Instance | undefined;
  try {
    instance = (await connect.send(new DescribeInstanceCommand({ InstanceId: id }))).Instance;
  } catch (e) {
    if (isAwsError(e, 'ResourceNotFoundException')) {
      throw new DestinationNotUsable(`destination.instanceId: no Amazon Connect instance '${idOrArn}' in this account and region`, { field: 'destination.instanceId', cause: e });
    }
    throw classifyAwsError(e, 'connect:DescribeInstance');
  }
  if (!instance?.Id || !instance.Arn) throw new DestinationNotUsable(`destination.instanceId: Connect did not describe instance '${idOrArn}'`, { field: 'destination.instanceId' });
  if (idOrArn.startsWith('arn:') && instance.Arn !== idOrArn) {
    throw new DestinationNotUsable(`destination.instanceId: ${idOrArn} does not name an instance of this account and region (found ${instance.Arn})`, { field: 'destination.instanceId' });
  }
  if (instance.InstanceStatus !== 'ACTIVE') {
    throw new DestinationNotUsable(`destination.instanceId: Connect instance ${instance.Id} is ${instance.InstanceStatus ?? 'in an unknown state'}, not ACTIVE`, { field: 'destination.instanceId' });
  }
  return { ...instance, Id: instance.Id, Arn: instance.Arn };
}

/**
 * The Connect number imported from this End User Messaging number, in any instance of the account and region
 * (a number can be imported only once, so there is at most one). Lists without an instance filter so that an
 * import into another instance is seen too; pages through the whole list.
 */
export async function findImportOf(connect: Connect, sourcePhoneNumberArn: string): Promise<ListPhoneNumbersSummary | undefined> {
  let nextToken: string | undefined;
  do {
    let page;
    try {
      page = await connect.send(new ListPhoneNumbersV2Command({ MaxResults: 1000, ...(nextToken ? { NextToken: nextToken } : {}) }));
    } catch (e) {
      throw classifyAwsError(e, 'connect:ListPhoneNumbersV2');
    }
    const hit = page.ListPhoneNumbersSummaryList?.find((p) => p.SourcePhoneNumberArn === sourcePhoneNumberArn);
    if (hit) return hit;
    nextToken = page.NextToken;
  } while (nextToken);
  return undefined;
}

/** DescribePhoneNumber; undefined when Connect has no such number (never imported, or released). */
export async function describeConnectNumber(connect: Connect, phoneNumberId: string): Promise<ClaimedPhoneNumberSummary | undefined> {
  try {
    return (await connect.send(new DescribePhoneNumberCommand({ PhoneNumberId: phoneNumberId }))).ClaimedPhoneNumberSummary;
  } catch (e) {
    if (isAwsError(e, 'ResourceNotFoundException')) return undefined;
    throw classifyAwsError(e, 'connect:DescribePhoneNumber');
  }
}

/** The import's status; a summary without one is treated as still in progress (the poll decides). */
export function importStatusOf(summary: ClaimedPhoneNumberSummary): { status: ImportStatus; message?: string } {
  const s = summary.PhoneNumberStatus;
  const status: ImportStatus = s?.Status === 'CLAIMED' || s?.Status === 'FAILED' ? s.Status : 'IN_PROGRESS';
  return { status, ...(s?.Message ? { message: s.Message } : {}) };
}

/** The NumberResult of ValidateNumber, checked enough to rely on (`results.number`). */
const NumberResultShape = z.object({
  kind: z.enum(['phone-number', 'pool']),
  id: z.string().min(1),
  arn: z.string().min(1),
  e164: z.string().optional(),
});

export function numberResultOf(results: Record<string, unknown>): Pick<NumberResult, 'kind' | 'id' | 'arn' | 'e164'> {
  const n = parseOrThrow(NumberResultShape, results.number, 'results.number');
  return { kind: n.kind, id: n.id, arn: n.arn, ...(n.e164 !== undefined ? { e164: n.e164 } : {}) };
}

const ImportResultShape = z.object({
  connectPhoneNumberId: z.string().min(1),
  connectPhoneNumberArn: z.string().min(1),
  status: z.enum(['CLAIMED', 'IN_PROGRESS', 'FAILED']),
  imported: z.boolean(),
  polls: z.number().int().min(0),
});

/** The ImportResult of ImportToConnect / CheckImport (`results.import`). */
export function importResultOf(results: Record<string, unknown>): ImportResult {
  return parseOrThrow(ImportResultShape, results.import, 'results.import');
}
