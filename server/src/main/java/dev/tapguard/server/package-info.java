/** Module server. */
package dev.tapguard.server;
