/**
 * The one DynamoDB table (single-table design) that holds audit records, locks, the write-ahead ledger,
 * shared-resource references and provisioning records. The CDK stack and the local runtime both create it
 * from this definition, so they cannot drift.
 *
 * | item                 | pk                        | sk                          | gsi1pk              | gsi1sk          |
 * |----------------------|---------------------------|-----------------------------|---------------------|-----------------|
 * | audit record         | `PROV#<provisioningId>`   | `AUDIT#<ulid>`              | `PHONE#<number id>` | `AUDIT#<ulid>`  |
 * | ledger entry         | `PROV#<provisioningId>`   | `LEDGER#<entry>`            |                     |                 |
 * | provisioning record  | `PROV#<provisioningId>`   | `META`                      | `PHONE#<number id>` | `PROV#<start>`  |
 * | lock on a number     | `LOCK#<number id>`        | `LOCK`                      |                     |                 |
 * | reference            | `REF#<kind>#<resource>`   | `PROV#<provisioningId>`     |                     |                 |
 */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  gsi1: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  /** Epoch seconds; DynamoDB TTL removes expired lock items (the lease itself is checked by `leaseUntil`). */
  ttlAttribute: 'expiresAt',
} as const;

export const keys = {
  provisioning: (id: string) => `PROV#${id}`,
  audit: (ulid: string) => `AUDIT#${ulid}`,
  ledger: (entry: string) => `LEDGER#${entry}`,
  phone: (phoneNumberId: string) => `PHONE#${phoneNumberId}`,
  lock: (phoneNumberId: string) => `LOCK#${phoneNumberId}`,
  reference: (kind: string, resource: string) => `REF#${kind}#${resource}`,
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
    ],
  };
}
