-- 0012: the topic under discussion (bot.Topic: sheet ids and a tree
-- question, never the person's words), so a follow-up is understood after
-- a restart; erased with the conversation.
ALTER TABLE conversations ADD COLUMN topic_json TEXT NOT NULL DEFAULT 'null';
