export { StopSignal } from '../runtime/ports/index.js';
