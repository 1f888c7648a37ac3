"""Plain names for the browsers and devices people are signed in on.

A raw user-agent string means nothing to most people and can be long enough to push a page
sideways, so pages show "Chrome on Android phone" instead. The rules come from ua-parser's
maintained regexes; only the naming on top of them lives here.
"""

from ua_parser import Result, parse

UNKNOWN_BROWSER = "An unknown browser"
UNKNOWN_DEVICE = "an unknown device"

# ua-parser names mobile and headless builds separately; people know them by one name.
BROWSER_NAMES = {
    "Chrome Mobile": "Chrome",
    "Chrome Mobile iOS": "Chrome",
    "Chrome Mobile WebView": "an app's built-in browser",
    "HeadlessChrome": "Chrome",
    "Mobile Safari": "Safari",
    "Mobile Safari UI/WKWebView": "an app's built-in browser",
    "Firefox Mobile": "Firefox",
    "Firefox iOS": "Firefox",
    "Edge Mobile": "Edge",
    "Opera Mobile": "Opera",
    "Samsung Internet": "Samsung Internet",
}

COMPUTERS = {
    "Windows": "Windows computer",
    "Mac OS X": "Mac",
    "Linux": "Linux computer",
    "Ubuntu": "Linux computer",
    "Fedora": "Linux computer",
    "Debian": "Linux computer",
    "Chrome OS": "Chromebook",
}


def _browser(result: Result) -> str:
    agent = result.user_agent
    if agent is None or agent.family == "Other":
        return UNKNOWN_BROWSER
    return BROWSER_NAMES.get(agent.family, agent.family)


def _device(result: Result, user_agent: str) -> str:
    os_family = result.os.family if result.os else ""
    model = result.device.family if result.device else ""
    if os_family == "iOS" or model in ("iPhone", "iPad", "iPod"):
        if model == "iPad":
            return "iPad"
        return "iPod" if model == "iPod" else "iPhone"
    if os_family == "Android":
        # Android browsers say "Mobile" on phones and leave it out on tablets.
        brand = result.device.brand if result.device else ""
        if "Mobile" in user_agent and "Tablet" not in (brand or ""):
            return "Android phone"
        return "Android tablet"
    if os_family in COMPUTERS:
        return COMPUTERS[os_family]
    if os_family.startswith("Windows"):
        return "Windows computer"
    return UNKNOWN_DEVICE


def device_name(user_agent: str) -> str:
    """ "Firefox on Windows computer", "Safari on iPhone"; never the raw string."""
    result = parse(user_agent or "")
    name = f"{_browser(result)} on {_device(result, user_agent or '')}"
    return name[:1].upper() + name[1:]
