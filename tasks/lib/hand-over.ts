import type { TaskDeps } from './context';
import type { LedgerEntry, LedgerEntryName, Reference } from './store';

/**
 * When an undo keeps a resource this provisioning created because other provisionings still depend on it,
 * the responsibility for it passes to one of them (docs/domain.md §5: only the one that created or added a
 * shared resource may remove it). Without this, the last number to leave would find it "not ours" and the
 * topic, role or statement would outlive every number that used it. Returns the reason to report.
 */
export async function keepForOthers(deps: TaskDeps, name: LedgerEntryName, entry: LedgerEntry, undoId: string, others: Reference[]): Promise<string> {
  const users = others.map((o) => `provisioning ${o.provisioningId} (${o.phoneNumberId})`).join(', ');
  // The creator stays recorded, so tag checks still recognise the resource as made by this service.
  const data = { ...entry.data, createdBy: creatorOf(entry, undoId), handedOverBy: undoId };
  let heir: string | undefined;
  for (const o of others) {
    if (await deps.ledger.handOver(o.provisioningId, name, data)) {
      heir = o.provisioningId;
      break;
    }
  }
  const reason = heir ? `still used by ${users}; handed over to provisioning ${heir}` : `still used by ${users}`;
  await deps.ledger.set(undoId, name, 'undone', { ...entry.data, kept: reason, ...(heir ? { handedOverTo: heir } : {}) });
  return reason;
}

/** The provisioning whose tag a created resource carries: the original creator, also after a hand-over. */
export function creatorOf(entry: LedgerEntry, undoId: string): string {
  return (entry.data.createdBy as string | undefined) ?? undoId;
}
