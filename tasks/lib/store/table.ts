/**
 * The one DynamoDB table (single-table design) that holds audit records, locks, the write-ahead ledger,
 * shared-resource references and provisioning records. The CDK stack and the local runtime both create it
 * from this definition, so they cannot drift.
 *
 * | item                 | pk                        | sk                          | gsi1pk              | gsi1sk               | gsi2pk          | gsi2sk          |
 * |----------------------|---------------------------|-----------------------------|---------------------|----------------------|-----------------|-----------------|
 * | audit record         | `PROV#<provisioningId>`   | `AUDIT#<ulid>`              | `PHONE#<number id>` | `AUDIT#<ulid>`       |                 |                 |
 * | ledger entry         | `PROV#<provisioningId>`   | `LEDGER#<entry>`            |                     |                      |                 |                 |
 * | provisioning record  | `PROV#<provisioningId>`   | `META`                      | `PHONE#<number id>` | `PROV#<start>#<id>`  | `PROVISIONINGS` | `<start>#<id>`  |
 * | lock on a number     | `LOCK#<number id>`        | `LOCK`                      | `LOCKOWNER#<exec>`  | `LOCK#<number id>`   |                 |                 |
 * | reference            | `REF#<kind>#<resource>`   | `PROV#<provisioningId>`     |                     |                      |                 |                 |
 * | active provisioning  | `NUMBER#<number id>`      | `ACTIVE`                    |                     |                      |                 |                 |
 * | idempotency key      | `IDEMP#<caller>#<key>`    | `IDEMP`                     |                     |                      |                 |                 |
 *
 * Provisioning records (written by the API when it starts an execution; `<number id>` is the phone number id
 * or pool id, `<start>` the ISO start time) are listed newest first by number through gsi1 and all together
 * through gsi2. A number's lease is found by its holder's execution ARN through gsi1. Idempotency items remember which provisioning an `Idempotency-Key` of one caller started
 * (with the request's hash); they expire through `expiresAt` after 24 hours.
 */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  gsi1: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  /** Every provisioning record, newest first: `PROVISIONINGS` / `<start>#<id>`. */
  gsi2: { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  /** Epoch seconds; DynamoDB TTL removes expired lock items (the lease itself is checked by `leaseUntil`). */
  ttlAttribute: 'expiresAt',
} as const;

export const keys = {
  provisioning: (id: string) => `PROV#${id}`,
  audit: (ulid: string) => `AUDIT#${ulid}`,
  ledger: (entry: string) => `LEDGER#${entry}`,
  phone: (phoneNumberId: string) => `PHONE#${phoneNumberId}`,
  lock: (phoneNumberId: string) => `LOCK#${phoneNumberId}`,
  /** The execution (ARN) holding number leases: gsi1 finds them when it has ended without releasing them. */
  lockOwner: (executionArn: string) => `LOCKOWNER#${executionArn}`,
  reference: (kind: string, resource: string) => `REF#${kind}#${resource}`,
  number: (phoneNumberId: string) => `NUMBER#${phoneNumberId}`,
  idempotency: (caller: string, key: string) => `IDEMP#${caller}#${key}`,
  allProvisionings: 'PROVISIONINGS',
} as const;

/** CreateTable input for the local runtime and tests (the CDK stack declares the same schema). */
export function createTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [
      { AttributeName: TABLE.partitionKey, AttributeType: 'S' as const },
      { AttributeName: TABLE.sortKey, AttributeType: 'S' as const },
      { AttributeName: TABLE.gsi1.partitionKey, AttributeType: 'S' as const },
      { AttributeName: TABLE.gsi1.sortKey, AttributeType: 'S' as const },
      { AttributeName: TABLE.gsi2.partitionKey, AttributeType: 'S' as const },
      { AttributeName: TABLE.gsi2.sortKey, AttributeType: 'S' as const },
    ],
    KeySchema: [
      { AttributeName: TABLE.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: TABLE.sortKey, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: TABLE.gsi1.name,
        KeySchema: [
          { AttributeName: TABLE.gsi1.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: TABLE.gsi1.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      },
      {
        IndexName: TABLE.gsi2.name,
        KeySchema: [
          { AttributeName: TABLE.gsi2.partitionKey, KeyType: 'HASH' as const },
          { AttributeName: TABLE.gsi2.sortKey, KeyType: 'RANGE' as const },
        ],
        Projection: { ProjectionType: 'ALL' as const },
      },
    ],
  };
}
