// Kept apart from templates.ts (which loads MJML and Liquid) so that code that only needs to
// recognise or rethrow the error, like the sender receiving it from a render process, stays light.
export class TemplateError extends Error {
  override name = 'TemplateError';
}
