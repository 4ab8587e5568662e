import { lambdaHandler } from '../lib/handler';
import { checkImport } from './check-import';

/** Lambda entry point of the CheckImport task (thin: the logic is in check-import.ts). */
export const handler = lambdaHandler('CheckImport', checkImport);
