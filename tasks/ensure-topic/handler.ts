import { lambdaHandler } from '../lib/handler';
import { ensureTopic } from './ensure-topic';

/** Lambda entry point of the EnsureTopic task (thin: the logic is in ensure-topic.ts). */
export const handler = lambdaHandler('EnsureTopic', ensureTopic);
