/**
 * Talking to Keystone's v3 HTTP API as Imago's service user: {@link io.imago.keystone.KeystoneClient}
 * (service-user tokens, token validation, reads such as unified limits) and
 * {@link io.imago.keystone.TokenInfo} (what a token body says). What a validated token means for a
 * request (caching, service tokens, anonymous access, the {@code Caller}) is {@code auth}'s business;
 * which limits apply is {@code quota}'s. Both use one client, so one service-user token.
 *
 * <p>May import {@code config} and {@code domain} (for {@code ErrorKind}); nothing else of ours.
 */
package io.imago.keystone;
