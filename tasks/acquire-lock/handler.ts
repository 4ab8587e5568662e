import { lambdaHandler } from '../lib/handler';
import { acquireLock } from './acquire-lock';

/** Lambda entry point of the AcquireLock task (thin: the logic is in acquire-lock.ts). */
export const handler = lambdaHandler('AcquireLock', acquireLock);
