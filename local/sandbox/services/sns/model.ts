/** SNS state. Attribute values are kept as SNS returns them: strings. */
export interface TopicRecord {
  TopicArn: string;
  Name: string;
  /** Settable attributes (Policy, DisplayName, KmsMasterKeyId, FifoTopic, ...). */
  Attributes: Record<string, string>;
  Tags: Record<string, string>;
  CreatedAt: string;
  /** Subscriptions removed from this topic so far (GetTopicAttributes `SubscriptionsDeleted`). */
  SubscriptionsDeleted?: number;
  /** FIFO topics: the last sequence number handed out by Publish. */
  LastSequenceNumber?: number;
  /** FIFO topics: deduplication ids seen in the last 5 minutes, with the message they first identified. */
  Deduplication?: Record<string, { messageId: string; sequenceNumber: string; at: string }>;
}

export interface SubscriptionRecord {
  SubscriptionArn: string;
  TopicArn: string;
  Protocol: string;
  Endpoint: string;
  Owner: string;
  Attributes: Record<string, string>;
}

export interface PublishedMessage {
  messageId: string;
  message: string;
  subject?: string;
  receivedAt: string;
}

export interface SnsState {
  topics: Record<string, TopicRecord>;
  subscriptions: Record<string, SubscriptionRecord>;
  /** Every message published to a topic, by topic ARN (what `/_sandbox/topics/{arn}/messages` returns). */
  messages: Record<string, PublishedMessage[]>;
}

export function createSnsState(): SnsState {
  return { topics: {}, subscriptions: {}, messages: {} };
}
