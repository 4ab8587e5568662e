import { lambdaHandler } from '../lib/handler';
import { checkRestored } from './check-restored';

/** Lambda entry point of the CheckRestored task (thin: the logic is in check-restored.ts). */
export const handler = lambdaHandler('CheckRestored', checkRestored);
