export { AuditLog, stripUndefined, type AuditEntry, type AuditScope, type DocClient } from './audit';
export { Ledger, type LedgerEntry, type LedgerEntryName, type LedgerStatus } from './ledger';
export { LockStore, type LockHolder } from './lock';
export { References, type Reference, type ReferenceKind } from './references';
export { ActiveProvisionings, type ActiveProvisioning } from './active';
export { createTableInput, keys, TABLE } from './table';
