// zod's locale list (z.locales, z.core.locales), cut to the one zod
// configures itself with (en): the bundle drops ~400 KB that `bgbash serve`
// would parse at every start. bgbash never switches zod's locale.
export { default as en } from 'zod/v4/locales/en.js';
