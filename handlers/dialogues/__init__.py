"""Virtual dialogues: planning, posting prompts on their dates, collecting replies, exports."""
