import { lambdaHandler } from '../lib/handler';
import { associateContactFlow } from './associate-contact-flow';

/** Lambda entry point of the AssociateContactFlow task (thin: the logic is in associate-contact-flow.ts). */
export const handler = lambdaHandler('AssociateContactFlow', associateContactFlow);
