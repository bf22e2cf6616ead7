/** Sent at registration so the controller can refuse an agent it does not speak to. */
export const AGENT_VERSION = '0.1.0';
