package dev.tapguard.agent.feed;

import dev.tapguard.model.HostView;

/** What the feed client reports to the agent. */
public interface FeedListener {

    /** A full view (every 200 is the whole truth for the host). */
    void onView(HostView view);

    /** The server answered: no change since the revision asked for. */
    default void onUnchanged(long revision) {
    }

    /** The server could not be reached or sent something unusable; the last good rules stay. */
    void onTrouble(String why);
}
