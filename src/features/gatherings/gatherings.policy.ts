// Relationship events (客户活动, issue 21 §5, POLICIES "Relationship events"): the kinds and their
// default sizes, the VIP threshold, the invitee states, and when the follow-up and the result fall.

export const GATHERING_KINDS = ['salon', 'report_meeting', 'vip_gathering'] as const;
export type GatheringKind = (typeof GATHERING_KINDS)[number];

/**
 * Default capacity by kind: a salon (monthly) about 15, an investment report meeting
 * (half-yearly) about 100; a VIP gathering (banquet or outing, twice a year) has no size in the
 * policy: 20, a banquet's two tables. The organiser may set any capacity.
 */
export const DEFAULT_CAPACITY: Record<GatheringKind, number> = { salon: 15, report_meeting: 100, vip_gathering: 20 };

/** A VIP gathering invites only customers with AUM of at least this (yuan). */
export const VIP_MIN_AUM = 1_000_000;

export const INVITEE_STATES = ['invited', 'accepted', 'declined', 'attended', 'no_show'] as const;
export type InviteeState = (typeof INVITEE_STATES)[number];

/** Why a member of the group was not invited. */
export const SKIP_REASONS = ['below_vip_aum', 'over_capacity'] as const;

/** The result compares AUM on the event date with AUM this many days later. */
export const RESULT_DAYS = 30;

/** Reminder events on the owners' My day. */
export const INVITE_EVENT = 'gathering_invite';
export const FOLLOW_UP_EVENT = 'gathering_follow_up';
