import { lambdaHandler } from '../lib/handler';
import { undoKeyPolicy } from './undo-key-policy';

/** Lambda entry point of the UndoKeyPolicy task (thin: the logic is in undo-key-policy.ts). */
export const handler = lambdaHandler('UndoKeyPolicy', undoKeyPolicy);
