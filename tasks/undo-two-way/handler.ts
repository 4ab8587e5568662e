import { lambdaHandler } from '../lib/handler';
import { undoTwoWay } from './undo-two-way';

/** Lambda entry point of the UndoTwoWay task (thin: the logic is in undo-two-way.ts). */
export const handler = lambdaHandler('UndoTwoWay', undoTwoWay);
