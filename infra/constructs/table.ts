import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { createTableInput, TABLE } from '../../tasks/lib/store/table';

export interface ProvisioningTableProps {
  /** Deletion protection and RETAIN (default true); off only for throw-away stacks. */
  deletionProtection?: boolean;
}

/**
 * The single table (audit, ledger, locks, references, provisioning and idempotency records), declared from
 * the same `createTableInput` the local runtime creates it with: keys, attribute types and every GSI come
 * from there, so the two cannot drift. Defaults: on-demand billing (from that definition), point-in-time
 * recovery, encryption with the AWS-managed KMS key, TTL on `expiresAt` (expired leases), deletion
 * protection on.
 */
export class ProvisioningTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: ProvisioningTableProps = {}) {
    super(scope, id);
    const protect = props.deletionProtection ?? true;
    const def = createTableInput('definition');
    const attribute = (name: string): dynamodb.Attribute => {
      const a = def.AttributeDefinitions.find((d) => d.AttributeName === name);
      if (!a) throw new Error(`table definition: key attribute ${name} has no AttributeDefinition`);
      return { name, type: a.AttributeType === 'S' ? dynamodb.AttributeType.STRING : a.AttributeType === 'N' ? dynamodb.AttributeType.NUMBER : dynamodb.AttributeType.BINARY };
    };
    const keyOf = (schema: readonly { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[]) => {
      const hash = schema.find((k) => k.KeyType === 'HASH');
      const range = schema.find((k) => k.KeyType === 'RANGE');
      if (!hash) throw new Error('table definition: a key schema has no HASH key');
      return { partitionKey: attribute(hash.AttributeName), ...(range ? { sortKey: attribute(range.AttributeName) } : {}) };
    };

    this.table = new dynamodb.Table(this, 'Table', {
      ...keyOf(def.KeySchema),
      billingMode: def.BillingMode === 'PAY_PER_REQUEST' ? dynamodb.BillingMode.PAY_PER_REQUEST : dynamodb.BillingMode.PROVISIONED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: TABLE.ttlAttribute,
      deletionProtection: protect,
      removalPolicy: protect ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const gsi of def.GlobalSecondaryIndexes ?? []) {
      const projection = gsi.Projection.ProjectionType;
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.IndexName,
        ...keyOf(gsi.KeySchema),
        projectionType: projection === 'ALL' ? dynamodb.ProjectionType.ALL : projection === 'KEYS_ONLY' ? dynamodb.ProjectionType.KEYS_ONLY : dynamodb.ProjectionType.INCLUDE,
      });
    }
  }
}
