// The server speaks the user's language in its messages: Chinese or English, chosen from the
// request's Accept-Language (the web app sends the language the user picked).

export type Lang = 'zh' | 'en';
/** A message in both languages; the error handler picks one per request. */
export interface LocalText {
  zh: string;
  en: string;
}

export function langOf(acceptLanguage: string | undefined): Lang {
  if (!acceptLanguage) return 'zh';
  // the first language the client lists wins; anything that is not English reads Chinese
  const first = acceptLanguage.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : 'zh';
}

export const text = (zh: string, en: string): LocalText => ({ zh, en });
