import { lambdaHandler } from '../lib/handler';
import { undoAccess } from './undo-access';

/** Lambda entry point of the UndoAccess task (thin: the logic is in undo-access.ts). */
export const handler = lambdaHandler('UndoAccess', undoAccess);
