import { maskIdNumber, maskPhone } from './masking.js';

// Personal financial information, classified once (issue 5). Every response, page and export
// that carries one of these fields passes it through the view of the caller's role below.
//
//   sensitive: id_number, phone, address, birth_date, annual_income, balances, transactions
//              (amounts, counterparties)
//   partly sensitive: name (masked for roles that only route customers)
//
// How each is shown without a reveal:
//   id_number, phone, address — always masked in responses and exports; the full value only
//     through POST /api/customers/:id/reveal, with a reason, audited, for that view only
//   name — in full, or 张*明 for a role that sees names masked (the lobby manager)
//   birth_date, annual_income, counterparties — in full for roles that maintain the customer
//     (permission pii.details); hidden (birth date, income) or masked (counterparty) otherwise
//   balances, transaction amounts — shown within the role's scope: every customer-reading role
//     works from them (tiers, routing by AUM band); they are never in logs

export const PII_CLASS = {
  id_number: 'sensitive',
  phone: 'sensitive',
  address: 'sensitive',
  birth_date: 'sensitive',
  annual_income: 'sensitive',
  balances: 'sensitive',
  transactions: 'sensitive',
  counterparty: 'sensitive',
  name: 'partly',
} as const;
export type PiiField = keyof typeof PII_CLASS;

/** Fields a user may ask to see in full (POST /api/customers/:id/reveal). */
export const REVEALABLE_FIELDS = ['phone', 'id_number', 'address'] as const;
export type RevealableField = (typeof REVEALABLE_FIELDS)[number];

/** What a role sees of personal data without revealing anything. */
export interface PiiView {
  namesMasked: boolean;
  /** birth date, annual income and transaction counterparties in full */
  details: boolean;
}

/** 张三明 → 张*明, 张三 → 张*, 欧阳小明 → 欧**明: the surname and the last character kept. */
export function maskName(name: string | null): string | null {
  if (!name) return name;
  const chars = [...name];
  if (chars.length === 1) return name;
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

// The end of the district part of a Chinese address: the first 区, 县 or 旗 after the city, else the city.
// (州 only as 自治州: 杭州市 is a city, not a prefecture followed by a district named 市)
const DISTRICT = /^(.*?(?:省|自治区))?(.*?(?:市|自治州|地区|盟))?(.*?(?:区|县|旗|市))/u;

/** 浙江省杭州市西湖区文三路100号 → 浙江省杭州市西湖区****: kept to the district. */
export function maskAddress(address: string | null): string | null {
  if (!address) return address;
  const m = DISTRICT.exec(address);
  const kept = m?.[0] && m[0].length < address.length ? m[0] : [...address].slice(0, 3).join('');
  return kept.length < address.length ? `${kept}****` : '****';
}

export { maskIdNumber, maskPhone };

export const viewName = (v: PiiView, name: string): string => (v.namesMasked ? (maskName(name) ?? name) : name);
export const viewDetail = <T>(v: PiiView, value: T | null): T | null => (v.details ? value : null);
/** A counterparty is a person or a business; either way only its first and last characters without pii.details. */
export const viewCounterparty = (v: PiiView, value: string | null): string | null => (v.details ? value : maskName(value));

/** The full value of a revealable field, by its column. */
export function revealedValue(field: RevealableField, row: { phone: string | null; id_number: string | null; address: string | null }): string | null {
  return row[field];
}
