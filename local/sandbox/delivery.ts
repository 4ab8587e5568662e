import type { SandboxState } from './state';

/**
 * Delivers a published message to the topic's HTTP/HTTPS subscriptions in SNS's notification format.
 * Fire and forget, as SNS is: a subscriber that is down does not fail the Publish.
 */
export function deliverToSubscriptions(state: SandboxState, topicArn: string, messageId: string, message: string, subject: string | undefined): void {
  for (const sub of Object.values(state.sns.subscriptions)) {
    if (sub.TopicArn !== topicArn || (sub.Protocol !== 'http' && sub.Protocol !== 'https')) continue;
    const raw = sub.Attributes.RawMessageDelivery === 'true';
    const body = raw
      ? message
      : JSON.stringify({
          Type: 'Notification',
          MessageId: messageId,
          TopicArn: topicArn,
          ...(subject !== undefined ? { Subject: subject } : {}),
          Message: message,
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: 'SANDBOX',
          SigningCertURL: 'https://sns.sandbox.invalid/cert.pem',
          UnsubscribeURL: `https://sns.sandbox.invalid/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(sub.SubscriptionArn)}`,
        });
    fetch(sub.Endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'text/plain; charset=UTF-8',
        'x-amz-sns-message-type': 'Notification',
        'x-amz-sns-message-id': messageId,
        'x-amz-sns-topic-arn': topicArn,
        'x-amz-sns-subscription-arn': sub.SubscriptionArn,
      },
      body,
      signal: AbortSignal.timeout(5000),
    }).catch(() => {
      // SNS retries with its delivery policy; the sandbox records the message on the topic and moves on.
    });
  }
}
