import type { Destination } from './request';
import type { TwoWayConfig } from './results';

/**
 * What an undo of a provisioning cannot give back exactly, known before anything changes (docs/domain.md §7: in the
 * End User Messaging SMS model `TwoWayChannelArn` and `TwoWayChannelRole` have a minimum length, so once set they
 * can be replaced but never cleared). Shown in the provisioning's response and audit trail as
 * "not exactly reversible: …". Pure: the API calls it at request time with the number as it reads it, and
 * ValidateNumber with the before-image it records.
 */
export const RETAINED_ROLE_REASON = 'retained because AWS cannot clear TwoWayChannelRole';

/** How the notes name the number or pool: by id, as the API and the workflow both know it. */
export function targetLabel(kind: 'phone-number' | 'phoneNumber' | 'pool', id: string): string {
  return `${kind === 'pool' ? 'pool' : 'phone number'} ${id}`;
}

export function irreversibleChanges(label: string, before: TwoWayConfig, destination: Destination): string[] {
  const notes: string[] = [];
  const setsRole = destination.type === 'connect' || destination.access.type === 'role';
  if (setsRole && !before.channelRole) {
    const restored = before.enabled ? `its current destination ${before.channelArn ?? '(none)'}` : 'its previous settings (two-way off)';
    notes.push(
      `not exactly reversible: ${label} has no TwoWayChannelRole today, and AWS cannot clear one once set; an undo restores ${restored} but the number keeps naming the two-way role, so that role is kept (${RETAINED_ROLE_REASON}) and given only what the restored destination needs`,
    );
  }
  if (!before.channelArn) {
    notes.push(`not exactly reversible: ${label} has no TwoWayChannelArn today, and AWS cannot clear one once set; an undo turns two-way off again, but the channel stays recorded on the number`);
  }
  return notes;
}

/**
 * A number that names a TwoWayChannelRole is delivered to through that role, whatever the topic policy says, and
 * the role cannot be cleared: a topic-policy destination would never take effect. Returns the refusal, naming
 * what to send instead, or `undefined` when the request can go ahead. (A number keeps a role for ever once one
 * was set, also by an undo of this service: this message is the way forward, never a dead end.)
 */
export function topicPolicyRefusal(label: string, current: TwoWayConfig, destination: Destination): string | undefined {
  if (destination.type !== 'sns' || destination.access.type !== 'topicPolicy' || !current.channelRole) return undefined;
  const role = current.channelRole;
  return (
    `${label} names TwoWayChannelRole ${role}, which AWS cannot clear, and delivers through that role whenever one is set, so a topic-policy destination would never be used. ` +
    `Send "access": {"type": "role", "role": {"create": {}}} instead (this service reuses ${role} when it created it and no other number depends on it, else it creates a role), ` +
    `or "access": {"type": "role", "role": {"arn": "${role}"}} if that role already allows sns:Publish on the topic`
  );
}
