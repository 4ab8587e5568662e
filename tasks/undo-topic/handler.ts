import { lambdaHandler } from '../lib/handler';
import { undoTopic } from './undo-topic';

/** Lambda entry point of the UndoTopic task (thin: the logic is in undo-topic.ts). */
export const handler = lambdaHandler('UndoTopic', undoTopic);
