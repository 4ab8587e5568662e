import { lambdaHandler } from '../lib/handler';
import { validateNumber } from './validate-number';

/** Lambda entry point of the ValidateNumber task (thin: the logic is in validate-number.ts). */
export const handler = lambdaHandler('ValidateNumber', validateNumber);
