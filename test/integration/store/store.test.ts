import { AuditLog, Ledger, LockStore, References } from '../../../tasks/lib/store';
import { NumberBusy, ResourceBusy } from '../../../tasks/lib/errors';
import { startDynamo, type RunningDynamo } from '../../support/dynamo';

describe('DynamoDB store (dynalite)', () => {
  let db: RunningDynamo;
  let now: Date;
  const clock = (): Date => now;
  beforeAll(async () => {
    db = await startDynamo();
  });
  afterAll(async () => {
    await db.stop();
  });
  beforeEach(() => {
    now = new Date('2026-11-27T10:00:00Z');
  });

  describe('LockStore', () => {
    it('gives the lease to one owner and refuses a second with NumberBusy', async () => {
      const locks = new LockStore(db.doc, db.tableName, clock);
      await locks.acquire('phone-a', 'exec-1', 60_000);
      await expect(locks.acquire('phone-a', 'exec-2', 60_000)).rejects.toBeInstanceOf(NumberBusy);
      await expect(locks.acquire('phone-a', 'exec-2', 60_000)).rejects.toThrow(/locked by exec-1/);
    });

    it('lets the same owner renew its lease (a retried task)', async () => {
      const locks = new LockStore(db.doc, db.tableName, clock);
      await locks.acquire('phone-b', 'exec-1', 60_000);
      const renewed = await locks.acquire('phone-b', 'exec-1', 120_000);
      expect(renewed.leaseUntil).toBe('2026-11-27T10:02:00.000Z');
    });

    it('hands an expired lease to a new owner', async () => {
      const locks = new LockStore(db.doc, db.tableName, clock);
      await locks.acquire('phone-c', 'exec-dead', 1_000);
      now = new Date(now.getTime() + 5_000);
      await expect(locks.acquire('phone-c', 'exec-new', 60_000)).resolves.toMatchObject({ owner: 'exec-new' });
      expect((await locks.get('phone-c'))?.owner).toBe('exec-new');
    });

    it('releases only the owner’s lease', async () => {
      const locks = new LockStore(db.doc, db.tableName, clock);
      await locks.acquire('phone-d', 'exec-1', 60_000);
      expect(await locks.release('phone-d', 'exec-2')).toBe(false);
      expect((await locks.get('phone-d'))?.owner).toBe('exec-1');
      expect(await locks.release('phone-d', 'exec-1')).toBe(true);
      expect(await locks.get('phone-d')).toBeUndefined();
    });

    it('lets exactly one of many concurrent acquirers win', async () => {
      const locks = new LockStore(db.doc, db.tableName, clock);
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => locks.acquire('phone-e', `exec-${i}`, 60_000)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    });

    it('serializes writers of a shared resource with ResourceBusy', async () => {
      const locks = new LockStore(db.doc, db.tableName, clock);
      await locks.acquire('key:k1', 'exec-1', 10_000, 'shared');
      await expect(locks.withLease('key:k1', 'exec-2', 10_000, async () => 'never')).rejects.toBeInstanceOf(ResourceBusy);
      await expect(locks.withLease('key:k1', 'exec-1', 10_000, async () => 'ran')).resolves.toBe('ran');
      expect(await locks.get('key:k1')).toBeUndefined();
    });
  });

  describe('Ledger', () => {
    it('keeps the first before-image when a retried step writes it again', async () => {
      const ledger = new Ledger(db.doc, db.tableName, clock);
      await ledger.setOnce('prov-1', 'beforeImage', 'done', { twoWayEnabled: false });
      const second = await ledger.setOnce('prov-1', 'beforeImage', 'done', { twoWayEnabled: true });
      expect(second.data).toEqual({ twoWayEnabled: false });
    });

    it('moves an entry from intent to done and lists all entries of a provisioning', async () => {
      const ledger = new Ledger(db.doc, db.tableName, clock);
      await ledger.set('prov-2', 'topic', 'intent', { name: 'inbound' });
      await ledger.set('prov-2', 'topic', 'done', { name: 'inbound', arn: 'arn:aws:sns:us-east-1:123456789012:inbound' });
      await ledger.set('prov-2', 'role', 'intent', { name: 'r' });
      const all = await ledger.all('prov-2');
      expect(all.map((e) => [e.entry, e.status])).toEqual([
        ['role', 'intent'],
        ['topic', 'done'],
      ]);
      expect((await ledger.get('prov-2', 'topic'))?.data).toMatchObject({ arn: 'arn:aws:sns:us-east-1:123456789012:inbound' });
    });
  });

  describe('References', () => {
    it('lists the other holders of a shared resource', async () => {
      const refs = new References(db.doc, db.tableName, clock);
      await refs.add('topic', 'arn:t', 'prov-a', 'phone-1');
      await refs.add('topic', 'arn:t', 'prov-b', 'phone-2');
      expect((await refs.others('topic', 'arn:t', 'prov-a')).map((r) => r.provisioningId)).toEqual(['prov-b']);
      await refs.remove('topic', 'arn:t', 'prov-b');
      expect(await refs.others('topic', 'arn:t', 'prov-a')).toEqual([]);
    });
  });

  describe('AuditLog', () => {
    const scope = { provisioningId: 'prov-audit', phoneNumberId: 'phone-audit', executionArn: 'arn:exec', actor: 'alice' };

    it('writes an intent before the call and a succeeded outcome after it', async () => {
      const audit = new AuditLog(db.doc, db.tableName, clock);
      const order: string[] = [];
      await audit.record(scope, { step: 'EnsureTopic', action: 'sns:CreateTopic', resourceArn: 'arn:t', before: null }, async () => {
        order.push((await audit.byProvisioning('prov-audit')).map((e) => e.phase).join(','));
        return { TopicArn: 'arn:t' };
      }, (r) => r);
      const entries = await audit.byProvisioning('prov-audit');
      expect(order).toEqual(['intent']);
      expect(entries.map((e) => [e.phase, e.action, e.outcome])).toEqual([
        ['intent', 'sns:CreateTopic', undefined],
        ['outcome', 'sns:CreateTopic', 'succeeded'],
      ]);
      expect(entries[1]).toMatchObject({ intentId: entries[0]!.id, actor: 'alice', executionArn: 'arn:exec', after: { TopicArn: 'arn:t' } });
    });

    it('records a failed outcome and rethrows the original error', async () => {
      const audit = new AuditLog(db.doc, db.tableName, clock);
      const boom = new Error('nope');
      boom.name = 'AccessDeniedException';
      await expect(audit.record({ ...scope, provisioningId: 'prov-audit-2' }, { step: 'S', action: 'iam:CreateRole' }, async () => Promise.reject(boom))).rejects.toBe(boom);
      const entries = await audit.byProvisioning('prov-audit-2');
      expect(entries.at(-1)).toMatchObject({ phase: 'outcome', outcome: 'failed', error: { name: 'AccessDeniedException', message: 'nope' } });
    });

    it('finds records by phone number across provisionings', async () => {
      const audit = new AuditLog(db.doc, db.tableName, clock);
      await audit.append({ ...scope, provisioningId: 'p-x', phoneNumberId: 'phone-shared' }, { phase: 'intent', step: 'S', action: 'a:B' });
      await audit.append({ ...scope, provisioningId: 'p-y', phoneNumberId: 'phone-shared' }, { phase: 'intent', step: 'S', action: 'a:C' });
      expect((await audit.byPhoneNumber('phone-shared')).map((e) => e.provisioningId)).toEqual(['p-x', 'p-y']);
    });
  });
});
