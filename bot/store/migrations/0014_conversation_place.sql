-- 0014: the town a conversation's citizen named and the nearest-place
-- search under way (bot.Town, bot.PlaceSearch: a town and service codes,
-- never the person's words), so « trois de plus » works after a restart;
-- erased with the conversation.
ALTER TABLE conversations ADD COLUMN place_json TEXT NOT NULL DEFAULT '{}';
