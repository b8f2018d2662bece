// Masking of personal data for display (regulators expect ID numbers and phones shown masked to
// anyone who does not need them in full). Full values are a separate, audited action (issue 5).

/** 110105199001011234 → 110105********1234 (first 6 and last 4 kept: region and check) */
export function maskIdNumber(id: string | null): string | null {
  if (!id) return id;
  if (id.length <= 10) return '*'.repeat(id.length);
  return id.slice(0, 6) + '*'.repeat(id.length - 10) + id.slice(-4);
}

/** 13812345678 → 138****5678 */
export function maskPhone(phone: string | null): string | null {
  if (!phone) return phone;
  if (phone.length <= 7) return '*'.repeat(phone.length);
  return phone.slice(0, 3) + '*'.repeat(phone.length - 7) + phone.slice(-4);
}
