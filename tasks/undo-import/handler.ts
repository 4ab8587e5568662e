import { lambdaHandler } from '../lib/handler';
import { undoImport } from './undo-import';

/** Lambda entry point of the UndoImport task (thin: the logic is in undo-import.ts). */
export const handler = lambdaHandler('UndoImport', undoImport);
