"""The conversational agent. Importing this package loads no model.

from agent import Agent, Settings, build_agent
agent = build_agent(Settings.from_env())
turn = agent.reply("session-1", "I loved Alien and Aliens")
"""

from agent.agent import Agent, InvalidMessage
from agent.build import IndexMissing, build_agent
from agent.schema import DialogueState, Intent, Recommendation, Turn, UserAct
from agent.settings import Settings

__all__ = [
    "Agent",
    "DialogueState",
    "IndexMissing",
    "Intent",
    "InvalidMessage",
    "Recommendation",
    "Settings",
    "Turn",
    "UserAct",
    "build_agent",
]
