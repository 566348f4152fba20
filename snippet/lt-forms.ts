/**
 * lt-forms.js: form capture, an ES module that lt.js imports on pages with a form
 * (forms-loader.ts). Its one export starts forms.ts with what lt.js hands over.
 */
export { trackForms as default } from './forms.js';
