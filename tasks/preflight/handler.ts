import { lambdaHandler } from '../lib/handler';
import { preflight } from './preflight';

/** Lambda entry point of the Preflight task (thin: the logic is in preflight.ts). */
export const handler = lambdaHandler('Preflight', preflight);
